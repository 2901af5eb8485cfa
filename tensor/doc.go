// Package tensor holds the shape type shared by every layer of gogan.
//
// Conventions used across gogan:
//   - Data is float32, row-major, with the batch dimension first.
//   - Image tensors are NHWC: (N, H, W, C), as in Keras.
//   - A layer's shape never includes the batch dimension: Dense(256) on a batch of
//     64 has shape (256), its tensors are (64, 256).
package tensor
