// Package onnx writes a built nn.Network (a Sequential or a functional Model)
// as an ONNX model in inference mode, so that onnxruntime, onnxruntime-web
// and the rest of the ONNX ecosystem can run it.
//
// The file is a ModelProto built from the types that protoc-gen-go generated
// from ONNX's own schema (internal/onnxpb) and marshaled by
// google.golang.org/protobuf. It declares opset 13 (IR version 7) of the
// default domain.
//
// # Layers
//
// Convert walks the network's layers in order (a Model's nodes, each after its
// inputs) and looks each layer's Kind up in one table, exporters, that maps it
// to the function writing its ONNX nodes; supporting a new layer is one entry.
// A layer that is not in the table is an error naming it and its kind. The
// table holds:
//
//	InputLayer, Dropout      nothing (Dropout is the identity at inference)
//	Dense                    Gemm (2-D input) or MatMul + Add, then its activation
//	Conv2D                   Conv, then its activation
//	Conv2DTranspose          ConvTranspose (explicit pads and output_padding), then its activation
//	BatchNormalization       BatchNormalization with the moving statistics (Mul + Add on inputs of rank 3 or 5)
//	LeakyReLU                LeakyRelu with its alpha
//	Activation, ReLU, Tanh, Sigmoid   Relu, LeakyRelu (alpha 0.2), Tanh, Sigmoid
//	Reshape, Flatten         Reshape with an int64 shape input (0, dims...): 0 keeps the batch
//	Embedding                Gather of the table along axis 0 (ids Cast to int64 if they are floats)
//	Concatenate, Add, Multiply   Concat on the last axis, Add, Mul
//	SpectralNormalization    the wrapped layer, its kernel divided by σ = vᵀ·K·u (folded)
//
// BatchNormalization stays a node of its own rather than being folded into
// the weights: in the seed's generator it follows a LeakyReLU, so there is no
// product to fold it into, and onnxruntime fuses Conv + BatchNormalization
// itself when it loads a model. Spectral normalization is folded: the file
// holds W/σ(W) with σ from the layer's power-iteration vectors u and v as
// they are, which is what gogan computes in inference mode.
//
// # Layout
//
// gogan's images are NHWC, ONNX's Conv and ConvTranspose take NCHW. The
// exporter tracks the layout of every tensor: a convolution's input is
// transposed to NCHW (Transpose, perm 0,3,1,2) only when it is not NCHW
// already, activations and BatchNormalization keep the layout they are given,
// and a layer that reads the channel axis as the last (Reshape, Flatten,
// Dense, Concatenate of mixed layouts) gets its input transposed back to NHWC
// first. Chains of convolutions therefore stay in NCHW, and the graph's
// output is always gogan's layout: (N, H, W, C) for images. Kernels are
// transposed once, when written: Conv2D's (kh, kw, in, out) becomes Conv's
// (out, in, kh, kw), Conv2DTranspose's (kh, kw, out, in) becomes
// ConvTranspose's (in, out, kh, kw).
//
// # Inputs and outputs
//
// Every graph input and output has a symbolic batch dimension "N". An input
// that only feeds Embedding layers (class labels) is int64, and when gogan's
// input is one id per sample, (N, 1), the ONNX input is (N) and an Unsqueeze
// restores gogan's shape. Every other input is float32 of gogan's shape.
// Options names the inputs and the output.
//
// # Errors
//
// Convert returns an error for a layer without an exporter, for a weight
// that is NaN or infinite (naming the weight and the index), for a network
// that is not built, and for geometry ONNX cannot express.
package onnx
