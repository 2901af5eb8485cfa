// Package generator loads a trained generator from a run or a checkpoint and makes
// samples with it, for Go programs that embed gogan (a server, a notebook, a batch job):
//
//	g, err := generator.Load("runs/mlp-20261201-120000")
//	batch, err := g.Generate(generator.Request{Seeds: generator.Seeds(1, 16)})
//	img, err := batch.Image(0) // an image.Image: *image.Gray for one channel
//
// # What it loads
//
// Load takes what `gogan sample --run` takes: a run folder (its checkpoints/latest.json),
// a checkpoint folder, or a latest.json file; or the step-N.safetensors file that a
// latest.json beside it names (a run keeps the tensors of its latest checkpoint only).
// The checkpoint is checked whole (see gan.LoadJob: format, checksum, every tensor's
// name and shape), and then every weight of the generator must be finite and every
// BatchNormalization moving variance non-negative. FromJob wraps a trainer already in
// memory as it is; Generate refuses samples holding NaN or ±Inf, whatever their weights.
//
// A GAN's generator is its G, or the weight average of G when the run keeps one
// (Config.EMA), as gogan sample and gogan eval use it. A conditional run (cgan, acgan)
// draws classes. An autoencoder (cae) decodes codes given as Latents; its codes do not
// follow N(0, 1), so it draws nothing from seeds (gogan sample fits their Gaussian to the
// test images instead). The 2-D models (mlp2d) generate points: Generate returns them as
// a (N, 2) batch, and Batch.Image says that they are not images. A classifier generates
// nothing and is refused.
//
// # Latent vectors
//
// With Request.Seeds, sample i is drawn from the latent vector of Seeds[i] alone: the
// first LatentDim values of gan.Latents(·, Seeds[i]), the N(0, 1) stream that gogan sample
// draws from. So the same seed gives the same latent vector whatever else the batch
// holds, and Seeds = {s} gives the first image of `gogan sample --seed s`. The generator
// runs in inference mode, where every sample is computed on its own (BatchNormalization
// uses its moving statistics), so the same seed gives the same image in any batch; the
// tests check this bit for bit.
//
// With Request.Latents the vectors are used as given: (N, LatentDim) finite values.
//
// # Truncation
//
// Request.Truncation t > 0 applies the truncation trick (Brock et al. 2019, BigGAN) to
// seeded latent vectors: an entry whose |z| exceeds t is redrawn. The method: entry j
// of a vector is the j-th value of the seed's N(0, 1) stream that lies in [−t, t]; values
// outside are skipped. Each entry is then an independent draw from N(0, 1) truncated to
// [−t, t], and a t above every |z| of the stream changes nothing. Smaller t trades
// variety for fidelity. t must be at least MinTruncation; given Latents are not
// truncated (setting both is an error).
//
// # Concurrency
//
// A Generator is safe for concurrent use: Generate reads the weights and nothing else
// of the Generator, and every call computes on its own graph and buffers. A Generator
// made by FromJob shares the trainer's weights: do not train while it generates.
// Requests for a GPU (Request.Device) copy the weights there and run one at a time.
//
// # Stopping and progress
//
// GenerateContext stops once its context is done (Ctrl-C in gogan sample): on the CPU
// it looks at the context before each batch of BatchSize samples, on a GPU before it
// starts. Request.Progress, when set, is told the samples made so far after each batch
// (on a GPU, once at the end): gogan sample draws its bar with it.
//
// # Errors
//
// Errors are returned, one line each, naming the file or the value at fault; nothing
// here panics on a bad checkpoint or a bad request.
package generator
