// Kernels of package cuda (see doc.go). Each is the GPU twin of a CPU loop in
// internal/vec or autograd, named in its comment; compiled ahead of time to PTX
// (kernels.ptx) by go generate with -fmad=false, so that a*b + c rounds twice,
// as in Go, and the element-wise kernels match the CPU bit for bit.
//
// Launch shapes: element-wise kernels run a grid-stride loop over n with 256
// threads a block; column reductions (rows, cols) run blocks of 32×8 threads, 32
// columns a block, each thread summing every 8th row, then a fixed tree over the
// 8 partial sums: deterministic, coalesced reads.

#define GRID_STRIDE(i, n) \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// im2col and col2im work in 32-bit unsigned index arithmetic (the host checks every
// size against 2^31): 64-bit divisions cost several times more and made these two
// kernels most of a DCGAN step. T is float, or float4 when c is a multiple of 4 and
// both buffers are 16-byte aligned (4 channels a thread, a quarter of the divisions).
__device__ inline void add_to(float& s, float v) { s += v; }
__device__ inline void add_to(float4& s, float4 v) {
	s.x += v.x;
	s.y += v.y;
	s.z += v.z;
	s.w += v.w;
}

#define GRID_STRIDE32(i, n) for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

// im2col gathers the patches of an NHWC convolution: x is (n, h, w, c), col is
// (n·oh·ow, kh·kw·c), zeros where the window leaves x:
//
//	col[t, (i·kw + j)·c + ch] = x[b, oh·sh − pt + i, ow·sw − pl + j, ch],  t = (b·oh + oh)·ow + ow
template <typename T>
__device__ void im2col_body(float* col, const float* x, int n, int h, int w, int c, int kh, int kw, int sh, int sw,
                            int pt, int pl, int oh, int ow) {
	const unsigned cv = c / (sizeof(T) / sizeof(float)), k = kh * kw * cv;
	GRID_STRIDE32(e, (unsigned)n * oh * ow * k) {
		unsigned t = e / k, q = e - t * k;
		unsigned tap = q / cv, ch = q - tap * cv;
		int i = tap / kw, j = tap - i * kw;
		unsigned r = t / ow;
		int ox = t - r * ow, b = r / oh, oy = r - b * oh;
		int y = oy * sh - pt + i, xx = ox * sw - pl + j;
		T v{};
		if (y >= 0 && y < h && xx >= 0 && xx < w) v = ((const T*)x)[((unsigned)(b * h + y) * w + xx) * cv + ch];
		((T*)col)[e] = v;
	}
}

// col2im is im2col's adjoint: dx (n, h, w, c) (+)= the sum of the col entries im2col
// took from each place, one thread an element of dx, added in the order of the
// positions t (kernel rows and columns descending), no atomics: deterministic. The
// loops visit only the taps that land on a position (the stride's multiples), in
// that order.
template <typename T>
__device__ void col2im_body(float* dx, const float* col, int n, int h, int w, int c, int kh, int kw, int sh, int sw,
                            int pt, int pl, int oh, int ow, int acc) {
	const unsigned cv = c / (sizeof(T) / sizeof(float)), k = kh * kw * cv;
	GRID_STRIDE32(e, (unsigned)n * h * w * cv) {
		unsigned p = e / cv, ch = e - p * cv;
		unsigned q = p / w;
		int ix = p - q * w, b = q / h, iy = q - b * h;
		T s{};
		if (acc) s = ((const T*)dx)[e];
		int ay = iy + pt, ax = ix + pl;  // y = ay − i, x = ax − j
		int imax = min(kh - 1, ay), jmax = min(kw - 1, ax);
		for (int i = imax - (sh - (ay - imax) % sh) % sh; i >= 0; i -= sh) {
			int oy = (ay - i) / sh;
			if (oy >= oh) break;
			for (int j = jmax - (sw - (ax - jmax) % sw) % sw; j >= 0; j -= sw) {
				int ox = (ax - j) / sw;
				if (ox >= ow) break;
				unsigned t = ((unsigned)b * oh + oy) * ow + ox;
				add_to(s, ((const T*)col)[t * k + (i * kw + j) * cv + ch]);
			}
		}
		((T*)dx)[e] = s;
	}
}

extern "C" {

// scale is y = c·x (vec.ScaleTo with c = 0).
__global__ void scale(float* y, const float* x, int n, float c) {
	GRID_STRIDE(i, n) { y[i] = c * x[i]; }
}

// add is z = x + y (vec.Add).
__global__ void add(float* z, const float* x, const float* y, int n) {
	GRID_STRIDE(i, n) { z[i] = x[i] + y[i]; }
}

// sub is z = x − y (vec.Sub).
__global__ void sub(float* z, const float* x, const float* y, int n) {
	GRID_STRIDE(i, n) { z[i] = x[i] - y[i]; }
}

// mul is z = x·y (vec.Mul).
__global__ void mul(float* z, const float* x, const float* y, int n) {
	GRID_STRIDE(i, n) { z[i] = x[i] * y[i]; }
}

// accumulate is y += x (vec.AddTo).
__global__ void accumulate(float* y, const float* x, int n) {
	GRID_STRIDE(i, n) { y[i] += x[i]; }
}

// add_scaled is y += c·x (vec.Axpy).
__global__ void add_scaled(float* y, const float* x, int n, float c) {
	GRID_STRIDE(i, n) { y[i] += c * x[i]; }
}

// add_bias is y[r,c] = x[r,c] + b[c] (vec.AddRowVectorTo).
__global__ void add_bias(float* y, const float* x, const float* b, int rows, int cols) {
	GRID_STRIDE(i, (long long)rows * cols) { y[i] = x[i] + b[i % cols]; }
}

// bias_leaky_relu is v = x[r,c] + b[c]; y = v > 0 ? v : slope·v (vec.BiasLeakyReLU).
__global__ void bias_leaky_relu(float* y, const float* x, const float* b, int rows, int cols, float slope) {
	GRID_STRIDE(i, (long long)rows * cols) {
		float v = x[i] + b[i % cols];
		y[i] = v > 0 ? v : slope * v;
	}
}

// bias_relu is v = x[r,c] + b[c]; y = v > 0 ? v : 0.
__global__ void bias_relu(float* y, const float* x, const float* b, int rows, int cols) {
	GRID_STRIDE(i, (long long)rows * cols) {
		float v = x[i] + b[i % cols];
		y[i] = v > 0 ? v : 0.0f;
	}
}

// bias_tanh is y = tanh(x[r,c] + b[c]) (vec.BiasTanh).
__global__ void bias_tanh(float* y, const float* x, const float* b, int rows, int cols) {
	GRID_STRIDE(i, (long long)rows * cols) { y[i] = tanhf(x[i] + b[i % cols]); }
}

// leaky_relu is y = x > 0 ? x : slope·x (vec.LeakyReLU).
__global__ void leaky_relu(float* y, const float* x, int n, float slope) {
	GRID_STRIDE(i, n) {
		float v = x[i];
		y[i] = v > 0 ? v : slope * v;
	}
}

// leaky_relu_grad is g = y > 0 ? dy : slope·dy; dx = g, or dx += g when acc
// (vec.LeakyReLUBackward; y > 0 exactly when x > 0 for slope > 0).
__global__ void leaky_relu_grad(float* dx, const float* dy, const float* y, int n, float slope, int acc) {
	GRID_STRIDE(i, n) {
		float g = y[i] > 0 ? dy[i] : slope * dy[i];
		dx[i] = acc ? dx[i] + g : g;
	}
}

// relu is y = x > 0 ? x : 0.
__global__ void relu(float* y, const float* x, int n) {
	GRID_STRIDE(i, n) {
		float v = x[i];
		y[i] = v > 0 ? v : 0.0f;
	}
}

// relu_grad is g = y > 0 ? dy : 0; dx (+)= g.
__global__ void relu_grad(float* dx, const float* dy, const float* y, int n, int acc) {
	GRID_STRIDE(i, n) {
		float g = y[i] > 0 ? dy[i] : 0.0f;
		dx[i] = acc ? dx[i] + g : g;
	}
}

// tanh_fwd is y = tanh(x) (vec.Tanh, to a few ulps).
__global__ void tanh_fwd(float* y, const float* x, int n) {
	GRID_STRIDE(i, n) { y[i] = tanhf(x[i]); }
}

// tanh_grad is g = dy·(1 − y·y); dx (+)= g (vec.TanhBackward).
__global__ void tanh_grad(float* dx, const float* dy, const float* y, int n, int acc) {
	GRID_STRIDE(i, n) {
		float v = y[i];
		float g = dy[i] * (1.0f - v * v);
		dx[i] = acc ? dx[i] + g : g;
	}
}

__device__ float sigmoidf(float v) { return 1.0f / (expf(-v) + 1.0f); }

// sigmoid is y = 1/(1 + e^−x) (vec.Sigmoid, to a few ulps).
__global__ void sigmoid(float* y, const float* x, int n) {
	GRID_STRIDE(i, n) { y[i] = sigmoidf(x[i]); }
}

// sigmoid_grad is g = (dy·y)·(1 − y); dx (+)= g (vec.SigmoidBackward).
__global__ void sigmoid_grad(float* dx, const float* dy, const float* y, int n, int acc) {
	GRID_STRIDE(i, n) {
		float v = y[i];
		float g = (dy[i] * v) * (1.0f - v);
		dx[i] = acc ? dx[i] + g : g;
	}
}

// sum_rows is out[c] = Σ_r x[r,c] (float64 sums), or beta·out[c] + Σ when beta ≠ 0.
// Blocks of 32×8 threads, 32 columns a block.
__global__ void sum_rows(float* out, const float* x, int rows, int cols, float beta) {
	__shared__ double part[8][32];
	int c = blockIdx.x * 32 + threadIdx.x;
	double s = 0;
	if (c < cols) {
		for (int r = threadIdx.y; r < rows; r += 8) s += (double)x[(long long)r * cols + c];
	}
	part[threadIdx.y][threadIdx.x] = s;
	__syncthreads();
	if (threadIdx.y == 0 && c < cols) {
		double t = ((part[0][threadIdx.x] + part[1][threadIdx.x]) + (part[2][threadIdx.x] + part[3][threadIdx.x])) +
		           ((part[4][threadIdx.x] + part[5][threadIdx.x]) + (part[6][threadIdx.x] + part[7][threadIdx.x]));
		out[c] = beta == 0 ? (float)t : beta * out[c] + (float)t;
	}
}

// block_sum256 returns, in thread 0, the sum of v over a block of 256 threads, by a
// fixed tree.
__device__ double block_sum256(double v) {
	__shared__ double s[256];
	s[threadIdx.x] = v;
	__syncthreads();
	for (int w = 128; w > 0; w >>= 1) {
		if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
		__syncthreads();
	}
	return s[0];
}

// sum_partial writes part[block] = the block's share of Σ term(i) in float64, with
// term x[i] (mode 0) or softplus(x[i]) − t[i]·x[i] (mode 1, autograd's
// SigmoidCrossEntropy). 256 threads a block; the grid is a function of n alone.
__global__ void sum_partial(double* part, const float* x, const float* t, int n, int mode) {
	double s = 0;
	GRID_STRIDE(i, n) {
		double v = (double)x[i];
		if (mode == 1) {
			s += fmax(v, 0.0) - (double)t[i] * v + log1p(exp(-fabs(v)));
		} else {
			s += v;
		}
	}
	double b = block_sum256(s);
	if (threadIdx.x == 0) part[blockIdx.x] = b;
}

// sum_final sums parts partial sums (one block of 256 threads) into
// r = float32(S/div) and writes out[0] = scale·r, or beta·out[0] + scale·r when beta ≠ 0.
__global__ void sum_final(float* out, const double* part, int parts, float scale, float beta, double div) {
	double s = 0;
	for (int i = threadIdx.x; i < parts; i += 256) s += part[i];
	double b = block_sum256(s);
	if (threadIdx.x == 0) {
		float r = scale * (float)(b / div);
		out[0] = beta == 0 ? r : beta * out[0] + r;
	}
}

// sce_grad is autograd's sigmoidCrossEntropyBackward with k = dy[0]·float32(1/n):
// dx (+)= k·(σ(x) − t), dt (+)= (−k)·x; dx or dt may be null.
__global__ void sce_grad(float* dx, float* dt, const float* dy, const float* x, const float* t, int n, int acc) {
	float k = dy[0] * (1.0f / (float)n);
	GRID_STRIDE(i, n) {
		if (dx) {
			float g = k * (sigmoidf(x[i]) - t[i]);
			dx[i] = acc ? dx[i] + g : g;
		}
		if (dt) {
			float g = -k * x[i];
			dt[i] = acc ? dt[i] + g : g;
		}
	}
}

// bn_stats is vec.BatchNormStats then vec.InvStd on the columns of x (rows, cols):
// with x0 = x[0,c], s1 = Σ (x − x0), s2 = Σ (x − x0)² in float64 and m = s1/rows,
// mean = x0 + m, var = max(s2/rows − m², 0) (biased), invStd = 1/√(var + eps).
// var may be null. Blocks of 32×8 threads.
__global__ void bn_stats(float* mean, float* var, float* invstd, const float* x, int rows, int cols, float eps) {
	__shared__ double p1[8][32], p2[8][32];
	int c = blockIdx.x * 32 + threadIdx.x, tx = threadIdx.x, ty = threadIdx.y;
	double s1 = 0, s2 = 0;
	if (c < cols && rows > 0) {
		double x0 = (double)x[c];
		for (int r = ty; r < rows; r += 8) {
			double d = (double)x[(long long)r * cols + c] - x0;
			s1 += d;
			s2 += d * d;
		}
	}
	p1[ty][tx] = s1;
	p2[ty][tx] = s2;
	__syncthreads();
	if (ty == 0 && c < cols && rows > 0) {
		double t1 = ((p1[0][tx] + p1[1][tx]) + (p1[2][tx] + p1[3][tx])) + ((p1[4][tx] + p1[5][tx]) + (p1[6][tx] + p1[7][tx]));
		double t2 = ((p2[0][tx] + p2[1][tx]) + (p2[2][tx] + p2[3][tx])) + ((p2[4][tx] + p2[5][tx]) + (p2[6][tx] + p2[7][tx]));
		double n = (double)rows, m = t1 / n;
		float v = (float)fmax(t2 / n - m * m, 0.0);
		mean[c] = (float)((double)x[c] + m);
		if (var) var[c] = v;
		invstd[c] = (float)(1.0 / sqrt((double)v + (double)eps));
	}
}

// bn_apply is vec.BatchNormApply: h = (x − mean)·invStd; y = gamma·h + beta, per column.
__global__ void bn_apply(float* y, const float* x, const float* mean, const float* invstd, const float* gamma,
                         const float* beta, int rows, int cols) {
	GRID_STRIDE(i, (long long)rows * cols) {
		int c = i % cols;
		float h = (x[i] - mean[c]) * invstd[c];
		y[i] = gamma[c] * h + beta[c];
	}
}

// bn_grad is vec.BatchNormBackward on 32 columns a block (32×8 threads): the column
// sums Σdy and Σdy·x̂ in float64, dgamma += Σdy·x̂ and dbeta += Σdy (either may be
// null), then dx (+)= a·dy + b·x̂ + c with a = gamma·invStd, b = −a·Σdy·x̂/rows,
// c = −a·Σdy/rows. dx may be null, or alias dy.
__global__ void bn_grad(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* mean,
                        const float* invstd, const float* gamma, int rows, int cols, int acc) {
	__shared__ double p1[8][32], p2[8][32];
	__shared__ float ka[32], kb[32], kc[32];
	int c = blockIdx.x * 32 + threadIdx.x, tx = threadIdx.x, ty = threadIdx.y;
	double s1 = 0, s2 = 0;
	float m = 0, is = 0;
	if (c < cols) {
		m = mean[c];
		is = invstd[c];
		for (int r = ty; r < rows; r += 8) {
			long long i = (long long)r * cols + c;
			float g = dy[i];
			float h = (x[i] - m) * is;
			s1 += (double)g;
			s2 += (double)g * (double)h;
		}
	}
	p1[ty][tx] = s1;
	p2[ty][tx] = s2;
	__syncthreads();
	if (ty == 0 && c < cols) {
		double t1 = ((p1[0][tx] + p1[1][tx]) + (p1[2][tx] + p1[3][tx])) + ((p1[4][tx] + p1[5][tx]) + (p1[6][tx] + p1[7][tx]));
		double t2 = ((p2[0][tx] + p2[1][tx]) + (p2[2][tx] + p2[3][tx])) + ((p2[4][tx] + p2[5][tx]) + (p2[6][tx] + p2[7][tx]));
		if (dgamma) dgamma[c] += (float)t2;
		if (dbeta) dbeta[c] += (float)t1;
		double k = (double)gamma[c] * (double)is, n = (double)rows;
		ka[tx] = (float)k;
		kb[tx] = (float)(-k * t2 / n);
		kc[tx] = (float)(-k * t1 / n);
	}
	__syncthreads();
	if (dx == 0 || c >= cols) return;
	float a = ka[tx], b = kb[tx], cc = kc[tx];
	for (int r = ty; r < rows; r += 8) {
		long long i = (long long)r * cols + c;
		float h = (x[i] - m) * is;
		float g = (a * dy[i] + b * h) + cc;
		dx[i] = acc ? dx[i] + g : g;
	}
}

// moving_average is avg = momentum·avg + (1 − momentum)·x (nn.BatchNormalization's
// moving statistics).
__global__ void moving_average(float* avg, const float* x, int n, float momentum) {
	float om = 1.0f - momentum;
	GRID_STRIDE(i, n) { avg[i] = momentum * avg[i] + om * x[i]; }
}

// adam is vec.Adam: with c1 = 1 − b1 and c2 = 1 − b2 (rounded to float32 by the caller),
// m = b1·m + c1·g; v = b2·v + (c2·g)·g; g = 0; p −= (step·m)/(√v + eps).
// When hyper is not null, step and eps are read from hyper[0] and hyper[1] (device
// memory, so that a captured graph sees each step's values). When guard is not null
// and guard[0] (a loss) is not finite, nothing changes.
__global__ void adam(float* p, float* g, float* m, float* v, int n, float b1, float c1, float b2, float c2,
                     float step, float eps, const float* hyper, const float* guard) {
	if (guard && !isfinite(guard[0])) return;  // a loss that is not finite: leave everything as it is
	if (hyper) {
		step = hyper[0];
		eps = hyper[1];
	}
	GRID_STRIDE(i, n) {
		float gi = g[i];
		float mi = b1 * m[i] + c1 * gi;
		float vi = b2 * v[i] + (c2 * gi) * gi;
		m[i] = mi;
		v[i] = vi;
		g[i] = 0;
		p[i] = p[i] - (step * mi) / (sqrtf(vi) + eps);
	}
}

// philox is Philox4x32-10 of the counter (lo, hi, 0, 0) under the key (k0, k1).
__device__ uint4 philox(unsigned int lo, unsigned int hi, unsigned int k0, unsigned int k1) {
	unsigned int c0 = lo, c1 = hi, c2 = 0, c3 = 0;
	for (int r = 0; r < 10; r++) {
		if (r > 0) {
			k0 += 0x9E3779B9u;
			k1 += 0xBB67AE85u;
		}
		unsigned int h0 = __umulhi(0xD2511F53u, c0), l0 = 0xD2511F53u * c0;
		unsigned int h1 = __umulhi(0xCD9E8D57u, c2), l1 = 0xCD9E8D57u * c2;
		unsigned int n0 = h1 ^ c1 ^ k0, n2 = h0 ^ c3 ^ k1;
		c0 = n0;
		c1 = l1;
		c2 = n2;
		c3 = l0;
	}
	return make_uint4(c0, c1, c2, c3);
}

// normal is x[i] = √(−2 ln u1)·cos(2π u2), with w = Philox4x32-10 of the counter
// offset + i under the key seed, u1 = ((w.x >> 8) + 1)/2²⁴ in (0, 1] and u2 =
// (w.y >> 8)/2²⁴: a pure function of (seed, offset + i).
__global__ void normal(float* x, int n, unsigned long long seed, unsigned long long offset) {
	GRID_STRIDE(i, n) {
		unsigned long long ctr = offset + (unsigned long long)i;
		uint4 w = philox((unsigned int)ctr, (unsigned int)(ctr >> 32), (unsigned int)seed, (unsigned int)(seed >> 32));
		float u1 = (float)((w.x >> 8) + 1) * 5.9604644775390625e-8f;
		float u2 = (float)(w.y >> 8) * 5.9604644775390625e-8f;
		x[i] = sqrtf(-2.0f * logf(u1)) * cospif(2.0f * u2);
	}
}

// im2col and im2col4: im2col_body on floats and on float4s.
__global__ void im2col(float* col, const float* x, int n, int h, int w, int c, int kh, int kw, int sh, int sw, int pt,
                       int pl, int oh, int ow) {
	im2col_body<float>(col, x, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
}

__global__ void im2col4(float* col, const float* x, int n, int h, int w, int c, int kh, int kw, int sh, int sw, int pt,
                        int pl, int oh, int ow) {
	im2col_body<float4>(col, x, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
}

// col2im and col2im4: col2im_body on floats and on float4s.
__global__ void col2im(float* dx, const float* col, int n, int h, int w, int c, int kh, int kw, int sh, int sw, int pt,
                       int pl, int oh, int ow, int acc) {
	col2im_body<float>(dx, col, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, acc);
}

__global__ void col2im4(float* dx, const float* col, int n, int h, int w, int c, int kh, int kw, int sh, int sw, int pt,
                        int pl, int oh, int ow, int acc) {
	col2im_body<float4>(dx, col, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, acc);
}

// copy_columns is dst[r, dc + j] (+)= src[r, sc + j] for r < rows, j < cols, with dst
// and src rows ds and ss apart: Concat along the last axis, SliceLast, and their
// gradients.
__global__ void copy_columns(float* dst, int ds, int dc, const float* src, int ss, int sc, int rows, int cols, int acc) {
	GRID_STRIDE(e, (long long)rows * cols) {
		long long r = e / cols;
		int j = (int)(e - r * cols);
		float v = src[r * ss + sc + j];
		float* o = dst + r * ds + dc + j;
		*o = acc ? *o + v : v;
	}
}

// broadcast is y[i] = scale·s[0]: Expand's forward, from a scalar on the device.
__global__ void broadcast(float* y, const float* s, int n, float scale) {
    float v = scale * s[0];
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] = v;
    }
}

// dropout_mask is mask[i] = 0 where the i-th 32-bit draw falls below threshold
// (rate·2³²), keep (1/(1 − rate)) elsewhere. The draw is a pure function of
// (seed, i): the high half of SplitMix64's finalizer of seed + (i + 1)·γ. When seeds is
// not null, seed is read from the device: the 48-bit integer seeds[0]·2²⁴ + seeds[1]
// (two floats holding 24-bit integers), plus (index + 1)·0xD1B54A32D192ED03.
__global__ void dropout_mask(float* mask, int n, unsigned long long seed, const float* seeds, int index,
                             unsigned long long threshold, float keep) {
    if (seeds) {
        seed = (((unsigned long long)seeds[0] << 24) | (unsigned long long)seeds[1]) +
               (unsigned long long)(index + 1) * 0xD1B54A32D192ED03ULL;
    }
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        unsigned long long z = seed + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        mask[i] = (z >> 32) < threshold ? 0.0f : keep;
    }
}

// Column reductions over many rows, in two passes: col_partials sums a chunk of
// rows (blockIdx.y) of 32 columns a block (32×8 threads, a fixed tree over the 8
// lanes) into part[(chunk·cols + c)·2 + {0, 1}] in float64; col_finish adds the
// chunks' partial sums of each column in chunk order (deterministic: the chunks
// depend on rows and cols alone) and finishes as sum_rows (mode 0), bn_stats
// (mode 1) or bn_grad's column sums (mode 2, which leaves the coefficients of dx
// in coef for bn_grad_dx). Terms: mode 0 x; mode 1 d = x − x[0,c] and d²;
// mode 2 dy and dy·x̂ with x̂ = (x − mean)·invStd.
__global__ void col_partials(double* part, const float* x, const float* dy, const float* mean, const float* invstd,
                             int rows, int cols, int per, int mode) {
	__shared__ double p1[8][32], p2[8][32];
	int c = blockIdx.x * 32 + threadIdx.x, tx = threadIdx.x, ty = threadIdx.y;
	int r0 = blockIdx.y * per, r1 = min(rows, r0 + per);
	double s1 = 0, s2 = 0;
	if (c < cols) {
		if (mode == 0) {
			for (int r = r0 + ty; r < r1; r += 8) s1 += (double)x[(long long)r * cols + c];
		} else if (mode == 1) {
			double x0 = (double)x[c];
			for (int r = r0 + ty; r < r1; r += 8) {
				double d = (double)x[(long long)r * cols + c] - x0;
				s1 += d;
				s2 += d * d;
			}
		} else {
			float m = mean[c], is = invstd[c];
			for (int r = r0 + ty; r < r1; r += 8) {
				long long i = (long long)r * cols + c;
				float g = dy[i];
				float h = (x[i] - m) * is;
				s1 += (double)g;
				s2 += (double)g * (double)h;
			}
		}
	}
	p1[ty][tx] = s1;
	p2[ty][tx] = s2;
	__syncthreads();
	if (ty == 0 && c < cols) {
		long long o = ((long long)blockIdx.y * cols + c) * 2;
		part[o] = ((p1[0][tx] + p1[1][tx]) + (p1[2][tx] + p1[3][tx])) + ((p1[4][tx] + p1[5][tx]) + (p1[6][tx] + p1[7][tx]));
		part[o + 1] = ((p2[0][tx] + p2[1][tx]) + (p2[2][tx] + p2[3][tx])) + ((p2[4][tx] + p2[5][tx]) + (p2[6][tx] + p2[7][tx]));
	}
}

// col_finish: see col_partials. Mode 0: out0 = Σx (or beta·out0 + Σx); mode 1:
// out0 = mean, out1 = variance (may be null), out2 = invStd; mode 2: out0 (dgamma)
// += Σdy·x̂, out1 (dbeta) += Σdy (either may be null) and coef = (a, b, c) per column.
__global__ void col_finish(float* out0, float* out1, float* out2, float* coef, const double* part, int chunks,
                           int rows, int cols, float param, const float* x, const float* gamma, const float* invstd,
                           int mode) {
	GRID_STRIDE(cc, cols) {
		int c = (int)cc;
		double t1 = 0, t2 = 0;
		for (int k = 0; k < chunks; k++) {
			t1 += part[((long long)k * cols + c) * 2];
			t2 += part[((long long)k * cols + c) * 2 + 1];
		}
		double n = (double)rows;
		if (mode == 0) {
			out0[c] = param == 0 ? (float)t1 : param * out0[c] + (float)t1;
		} else if (mode == 1) {
			double m = t1 / n;
			float v = (float)fmax(t2 / n - m * m, 0.0);
			out0[c] = (float)((double)x[c] + m);
			if (out1) out1[c] = v;
			out2[c] = (float)(1.0 / sqrt((double)v + (double)param));
		} else {
			if (out0) out0[c] += (float)t2;
			if (out1) out1[c] += (float)t1;
			double k = (double)gamma[c] * (double)invstd[c];
			coef[c] = (float)k;
			coef[cols + c] = (float)(-k * t2 / n);
			coef[2 * cols + c] = (float)(-k * t1 / n);
		}
	}
}

// bn_grad_dx is bn_grad's last pass from the coefficients col_finish left:
// dx (+)= a·dy + b·x̂ + c per column.
__global__ void bn_grad_dx(float* dx, const float* dy, const float* x, const float* mean, const float* invstd,
                           const float* coef, int rows, int cols, int acc) {
	GRID_STRIDE(i, (long long)rows * cols) {
		int c = i % cols;
		float h = (x[i] - mean[c]) * invstd[c];
		float g = (coef[c] * dy[i] + coef[cols + c] * h) + coef[2 * cols + c];
		dx[i] = acc ? dx[i] + g : g;
	}
}

}  // extern "C"

// ---- conditional recipes: embedding gather/scatter, softmax ----

extern "C" {

// embed_row is ids value v as a row of a table of rows rows, or −1 where v is not an
// integer in [0, rows) (autograd's checkIndex, which panics there on the CPU; a
// device does not read its ids back to check them). NaN fails every comparison.
__device__ inline int embed_row(float v, int rows) {
	double f = (double)v;
	return (f >= 0 && f < (double)rows && f == trunc(f)) ? (int)f : -1;
}

// gather is autograd's Gather, its loop over the ids copying rows:
// y[i, j] = table[ids[i], j] for y (n, cols) and table (rows, cols), a NaN row where
// ids[i] is not an integer in [0, rows).
__global__ void gather(float* y, const float* table, const float* ids, int n, int rows, int cols) {
	GRID_STRIDE(e, (long long)n * cols) {
		long long i = e / cols;
		int j = (int)(e - i * cols);
		int r = embed_row(ids[i], rows);
		y[e] = r < 0 ? __int_as_float(0x7fc00000) : table[(long long)r * cols + j];
	}
}

// scatter_add is autograd's ScatterAdd: y[r, j] = Σ_{i: ids[i] = r} src[i, j] for
// y (rows, cols) and src (n, cols). The CPU clears y, then adds the src rows into
// place in the order of i; here one thread an element of y adds, from 0, the
// src[i, j] whose ids[i] is r in the order of i: the same float32 sums, no
// atomics. Ids that are not an integer in [0, rows) add nowhere.
__global__ void scatter_add(float* y, const float* src, const float* ids, int n, int rows, int cols) {
	GRID_STRIDE(e, (long long)rows * cols) {
		long long r = e / cols;
		int j = (int)(e - r * cols);
		float s = 0;
		for (int i = 0; i < n; i++) {
			if (embed_row(ids[i], rows) == r) s += src[(long long)i * cols + j];
		}
		y[e] = s;
	}
}

// exp_fwd is autograd's Exp: y = float32(e^float64(x)), math.Exp in float64 rounded
// once to float32 (CUDA's exp and Go's agree within an ulp of float64, so the
// float32 results almost always to the bit).
__global__ void exp_fwd(float* y, const float* x, int n) {
	GRID_STRIDE(i, n) { y[i] = (float)exp((double)x[i]); }
}

// log_sum_exp is autograd's LogSumExp on the rows of x (rows, cols), one thread a
// row running the CPU's loops: m = the row's maximum (NaN where one is, as Go's
// max), s = Σ_j e^float64(x[i, j] − m) in float64 in the order of j, and
// y[i] = m + float32(log s). cols ≥ 1.
__global__ void log_sum_exp(float* y, const float* x, int rows, int cols) {
	GRID_STRIDE(i, rows) {
		const float* row = x + i * (long long)cols;
		float m = row[0];
		for (int j = 1; j < cols; j++) {
			float v = row[j];
			if (v > m || isnan(v)) m = v;
		}
		double s = 0;
		for (int j = 0; j < cols; j++) s += exp((double)(row[j] - m));
		y[i] = m + (float)log(s);
	}
}

}  // extern "C"

// ---- DiffAugment, pooling, upsampling, padding ----
//
// Images are NHWC (n, h, w, c), as autograd's ops. One thread an output element;
// every gradient is a gather in the order the CPU's loop adds (no atomics), from a
// zero start as the CPU clears its output first, so the results are the CPU's bits.

extern "C" {

// add_per_sample is autograd's AddPerSample: y[i] = x[i] + b[i / per].
__global__ void add_per_sample(float* y, const float* x, const float* b, int n, int per) {
	GRID_STRIDE32(i, (unsigned)n) { y[i] = x[i] + b[i / (unsigned)per]; }
}

// group_means is the first half of autograd's scaleAboutMean: m[g] = (Σ x[g·group + j],
// j ascending, in float32) / group, one thread a group.
__global__ void group_means(float* m, const float* x, int groups, int group) {
	GRID_STRIDE32(g, (unsigned)groups) {
		const float* p = x + (size_t)g * group;
		float s = 0;
		for (int j = 0; j < group; j++) s += p[j];
		m[g] = s / (float)group;
	}
}

// scale_about_mean is the second half of autograd's scaleAboutMean:
// y[i] = m + f[i / per]·(x[i] − m) with m = m[i / group].
__global__ void scale_about_mean(float* y, const float* x, const float* m, const float* f, int n, int per, int group) {
	GRID_STRIDE32(i, (unsigned)n) {
		float mi = m[i / (unsigned)group];
		y[i] = mi + f[i / (unsigned)per] * (x[i] - mi);
	}
}

// window_copy is y[b, r, q, ch] = x[b, r − dr, q − dc, ch], 0 where that is outside x,
// for y (n, yh, yw, c) and x (n, xh, xw, c), with dr = top + shift[2b] and dc = left +
// shift[2b + 1] (shift may be null: 0): autograd's pad (top, left the padding),
// crop (minus the corner) and translate (the per-image shifts, as float integers).
__global__ void window_copy(float* y, const float* x, const float* shift, int n, int yh, int yw, int xh, int xw, int c,
                            int top, int left) {
	GRID_STRIDE32(e, (unsigned)n * yh * yw * c) {
		unsigned p = e / c, ch = e - p * c;
		unsigned rq = p / yw;
		int q = p - rq * yw, b = rq / yh, r = rq - b * yh;
		int dr = top, dc = left;
		if (shift) {
			dr += (int)shift[2 * b];
			dc += (int)shift[2 * b + 1];
		}
		int sr = r - dr, sq = q - dc;
		float v = 0;
		if (sr >= 0 && sr < xh && sq >= 0 && sq < xw) v = x[((size_t)(b * xh + sr) * xw + sq) * c + ch];
		y[e] = v;
	}
}

// cutout is autograd's cutout: y = 0 inside image b's rectangle of rows
// [corner[2b], corner[2b] + sh) and columns [corner[2b+1], corner[2b+1] + sw), x elsewhere.
__global__ void cutout(float* y, const float* x, const float* corner, int n, int h, int w, int c, int sh, int sw) {
	GRID_STRIDE32(e, (unsigned)n * h * w * c) {
		unsigned p = e / c, rq = p / w;
		int q = p - rq * w, b = rq / h, r = rq - b * h;
		int r0 = (int)corner[2 * b], c0 = (int)corner[2 * b + 1];
		bool hole = r >= r0 && r < r0 + sh && q >= c0 && q < c0 + sw;
		y[e] = hole ? 0.0f : x[e];
	}
}

// upsample is autograd's UpSample2D: y[b, r, q, ch] = x[b, r / fh, q / fw, ch] for
// x (n, h, w, c) and y (n, h·fh, w·fw, c).
__global__ void upsample(float* y, const float* x, int n, int h, int w, int c, int fh, int fw) {
	const unsigned yw = w * fw, yh = h * fh;
	GRID_STRIDE32(e, (unsigned)n * yh * yw * c) {
		unsigned p = e / c, ch = e - p * c;
		unsigned rq = p / yw, q = p - rq * yw, b = rq / yh, r = rq - b * yh;
		y[e] = x[((b * h + r / fh) * w + q / fw) * c + ch];
	}
}

// block_sum is autograd's blockSum: dx[b, i, j, ch] = Σ dy[b, i·fh + a, j·fw + k, ch]
// over a (outer) and k ascending from 0, for dx (n, h, w, c) and dy (n, h·fh, w·fw, c).
__global__ void block_sum(float* dx, const float* dy, int n, int h, int w, int c, int fh, int fw) {
	const unsigned yw = w * fw;
	GRID_STRIDE32(e, (unsigned)n * h * w * c) {
		unsigned p = e / c, ch = e - p * c;
		unsigned bi = p / w, j = p - bi * w;  // bi = b·h + i
		float s = 0;
		for (int a = 0; a < fh; a++) {
			const float* row = dy + ((size_t)(bi * fh + a) * yw + j * fw) * c + ch;
			for (int k = 0; k < fw; k++) s += row[(size_t)k * c];
		}
		dx[e] = s;
	}
}

// pool_range is autograd's poolRange: the rows [*hlo, *hhi) and columns [*wlo, *whi)
// of output (oy, ox)'s window inside the image.
__device__ inline void pool_range(int oy, int ox, int h, int w, int kh, int kw, int sh, int sw, int pt, int pl, int* hlo,
                                  int* hhi, int* wlo, int* whi) {
	int ih = oy * sh - pt, iw = ox * sw - pl;
	*hlo = max(ih, 0);
	*hhi = min(ih + kh, h);
	*wlo = max(iw, 0);
	*whi = min(iw + kw, w);
}

// avg_pool is autograd's avgPool: y[b, oy, ox, ch] = (Σ x over the window inside the
// image, rows then columns ascending, in float32) · (1 / count), x (n, h, w, c) and
// y (n, oh, ow, c).
__global__ void avg_pool(float* y, const float* x, int n, int h, int w, int c, int kh, int kw, int sh, int sw, int pt,
                         int pl, int oh, int ow) {
	GRID_STRIDE32(e, (unsigned)n * oh * ow * c) {
		unsigned p = e / c, ch = e - p * c;
		unsigned r = p / ow;
		int ox = p - r * ow, b = r / oh, oy = r - b * oh;
		int hlo, hhi, wlo, whi;
		pool_range(oy, ox, h, w, kh, kw, sh, sw, pt, pl, &hlo, &hhi, &wlo, &whi);
		float s = 0;
		for (int i = hlo; i < hhi; i++)
			for (int j = wlo; j < whi; j++) s += x[((size_t)(b * h + i) * w + j) * c + ch];
		float inv = 1 / (float)((hhi - hlo) * (whi - wlo));
		y[e] = s * inv;
	}
}

// avg_pool_grad is autograd's avgPoolT as a gather: dx[b, i, j, ch] = Σ dy[b, oy, ox, ch]·(1 /
// count(oy, ox)) over the outputs whose window holds (i, j), oy then ox ascending (the
// order avgPoolT's loop adds them), dx (n, h, w, c) and dy (n, oh, ow, c).
__global__ void avg_pool_grad(float* dx, const float* dy, int n, int h, int w, int c, int kh, int kw, int sh, int sw,
                              int pt, int pl, int oh, int ow) {
	GRID_STRIDE32(e, (unsigned)n * h * w * c) {
		unsigned p = e / c, ch = e - p * c;
		unsigned r = p / w;
		int j = p - r * w, b = r / h, i = r - b * h;
		// Output oy's window holds row i when oy·sh − pt ≤ i < oy·sh − pt + kh.
		int ylo = i + pt - kh + 1, xlo = j + pl - kw + 1;
		ylo = ylo <= 0 ? 0 : (ylo + sh - 1) / sh;
		xlo = xlo <= 0 ? 0 : (xlo + sw - 1) / sw;
		int yhi = min((i + pt) / sh, oh - 1), xhi = min((j + pl) / sw, ow - 1);
		float s = 0;
		for (int oy = ylo; oy <= yhi; oy++)
			for (int ox = xlo; ox <= xhi; ox++) {
				int hlo, hhi, wlo, whi;
				pool_range(oy, ox, h, w, kh, kw, sh, sw, pt, pl, &hlo, &hhi, &wlo, &whi);
				float inv = 1 / (float)((hhi - hlo) * (whi - wlo));
				s += dy[((size_t)(b * oh + oy) * ow + ox) * c + ch] * inv;
			}
		dx[e] = s;
	}
}

// max_pool is autograd's MaxPool2D: y[b, oy, ox, ch] = the window's first value inside the
// image, replaced by each later one (rows then columns) that is greater, and arg its
// index into x, x (n, h, w, c) and y (n, oh, ow, c).
__global__ void max_pool(float* y, int* arg, const float* x, int n, int h, int w, int c, int kh, int kw, int sh, int sw,
                         int pt, int pl, int oh, int ow) {
	GRID_STRIDE32(e, (unsigned)n * oh * ow * c) {
		unsigned p = e / c, ch = e - p * c;
		unsigned r = p / ow;
		int ox = p - r * ow, b = r / oh, oy = r - b * oh;
		int hlo, hhi, wlo, whi;
		pool_range(oy, ox, h, w, kh, kw, sh, sw, pt, pl, &hlo, &hhi, &wlo, &whi);
		int best = ((b * h + hlo) * w + wlo) * c + ch;
		float m = x[best];
		for (int i = hlo; i < hhi; i++)
			for (int j = wlo; j < whi; j++) {
				int k = ((b * h + i) * w + j) * c + ch;
				float v = x[k];
				if (v > m) {
					m = v;
					best = k;
				}
			}
		y[e] = m;
		arg[e] = best;
	}
}

// max_pool_grad is autograd's scatterIndexed of MaxPool2D's indices as a gather:
// dx[k] = Σ dy[o] over the outputs o whose window holds k and whose arg[o] is k, oy then
// ox ascending (the order of o, in which scatterIndexed adds), dx (n, h, w, c) and dy,
// arg (n, oh, ow, c).
__global__ void max_pool_grad(float* dx, const float* dy, const int* arg, int n, int h, int w, int c, int kh, int kw,
                              int sh, int sw, int pt, int pl, int oh, int ow) {
	GRID_STRIDE32(e, (unsigned)n * h * w * c) {
		unsigned p = e / c, ch = e - p * c;
		unsigned r = p / w;
		int j = p - r * w, b = r / h, i = r - b * h;
		int ylo = i + pt - kh + 1, xlo = j + pl - kw + 1;
		ylo = ylo <= 0 ? 0 : (ylo + sh - 1) / sh;
		xlo = xlo <= 0 ? 0 : (xlo + sw - 1) / sw;
		int yhi = min((i + pt) / sh, oh - 1), xhi = min((j + pl) / sw, ow - 1);
		float s = 0;
		for (int oy = ylo; oy <= yhi; oy++)
			for (int ox = xlo; ox <= xhi; ox++) {
				unsigned o = ((unsigned)(b * oh + oy) * ow + ox) * c + ch;
				if (arg[o] == (int)e) s += dy[o];
			}
		dx[e] = s;
	}
}

// gather_indexed is autograd's gatherIndexed: z[k] = v[idx[k]].
__global__ void gather_indexed(float* z, const float* v, const int* idx, int n) {
	GRID_STRIDE32(k, (unsigned)n) { z[k] = v[idx[k]]; }
}

}  // extern "C"

// ---- spectral normalization, weight clipping, RMSprop, SGD ----

extern "C" {

// divide is: z[i] = x[i] / y[i] (autograd's Div; IEEE division, as Go's).
__global__ void divide(float* z, const float* x, const float* y, int n) {
	GRID_STRIDE(i, n) { z[i] = x[i] / y[i]; }
}

// sn_matvec is nn.SpectralNormLayer's K·u: for k (rows, cols) and x (cols),
// out[r] = Σ_c k[r,c]·x[c] in float64, c ascending (the CPU's order: the same bits).
__global__ void sn_matvec(double* out, const float* k, const float* x, int rows, int cols) {
	GRID_STRIDE(r, rows) {
		const float* row = k + r * (long long)cols;
		double s = 0;
		for (int c = 0; c < cols; c++) s += (double)row[c] * (double)x[c];
		out[r] = s;
	}
}

// sn_matvec_t is its Kᵀ·v: for k (rows, cols) and x (rows),
// out[c] = Σ_r k[r,c]·x[r] in float64, r ascending (the CPU's order).
__global__ void sn_matvec_t(double* out, const float* k, const float* x, int rows, int cols) {
	GRID_STRIDE(c, cols) {
		double s = 0;
		for (int r = 0; r < rows; r++) s += (double)k[r * (long long)cols + c] * (double)x[r];
		out[c] = s;
	}
}

// sn_normalize is nn's normalizeTo, one block: with ss = Σ x[i]² in float64, i
// ascending (one thread: the CPU's order), dst[i] = float32(x[i] / max(√ss, 1e-12)).
__global__ void sn_normalize(float* dst, const double* x, int n) {
	__shared__ double norm;
	if (threadIdx.x == 0) {
		double ss = 0;
		for (int i = 0; i < n; i++) ss += x[i] * x[i];
		double r = sqrt(ss);
		norm = r < 1e-12 ? 1e-12 : r;  // NaN stays NaN, as with Go's max
	}
	__syncthreads();
	for (int i = threadIdx.x; i < n; i += blockDim.x) dst[i] = (float)(x[i] / norm);
}

// clip_weights is gan's clipWeights: p[i] = max(−c, min(c, p[i])), NaN kept as
// Go's min and max keep it; nothing when guard is not null and guard[0] (a loss)
// is not finite.
__global__ void clip_weights(float* p, int n, float c, const float* guard) {
	if (guard && !isfinite(guard[0])) return;
	GRID_STRIDE(i, n) {
		float v = p[i];
		if (v > c) v = c;
		if (v < -c) v = -c;
		p[i] = v;
	}
}

// rmsprop is optim.RMSprop's update, clearing g: with lr = hyper[0], eps = hyper[1]
// and c = 1 − rho (rounded to float32 by the caller),
// s = rho·s + (c·g)·g;  p −= (lr·g)/(√s + eps). Nothing changes when guard is not
// null and guard[0] (a loss) is not finite.
__global__ void rmsprop(float* p, float* g, float* s, int n, float rho, float c, const float* hyper, const float* guard) {
	if (guard && !isfinite(guard[0])) return;
	float lr = hyper[0], eps = hyper[1];
	GRID_STRIDE(i, n) {
		float gi = g[i];
		float si = rho * s[i] + (c * gi) * gi;
		s[i] = si;
		g[i] = 0;
		p[i] = p[i] - (lr * gi) / (sqrtf(si) + eps);
	}
}

// sgd is optim.SGD's update, clearing g: with lr = hyper[0],
// v = mu·vel − lr·g; vel = v; p += v, or p += mu·v − lr·g when nesterov.
// Nothing changes when guard is not null and guard[0] (a loss) is not finite.
__global__ void sgd(float* p, float* g, float* vel, int n, float mu, int nesterov, const float* hyper, const float* guard) {
	if (guard && !isfinite(guard[0])) return;
	float lr = hyper[0];
	GRID_STRIDE(i, n) {
		float gi = g[i];
		float v = mu * vel[i] - lr * gi;
		vel[i] = v;
		g[i] = 0;
		p[i] = nesterov ? p[i] + (mu * v - lr * gi) : p[i] + v;
	}
}

}  // extern "C"
