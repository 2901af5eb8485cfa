package onnx

import (
	"fmt"

	"github.com/gogan/gogan/export/onnx/internal/onnxpb"
	"github.com/gogan/gogan/nn"
	"google.golang.org/protobuf/proto"
)

// upSampling2D writes UpSampling2D as Resize on NCHW: nearest neighbour with
// integer scales (1, 1, rows, cols), the asymmetric coordinate transform and
// rounding down, so output pixel (i, j) is input pixel (⌊i/rows⌋, ⌊j/cols⌋),
// as gogan (and Keras) repeat each pixel.
func upSampling2D(b *builder, l *nn.UpSampling2DLayer, x value) (value, error) {
	if !x.image() {
		return value{}, fmt.Errorf("%s (UpSampling2D): input %s is not an image", l.Name(), x.shape.WithBatch())
	}
	x = b.toNCHW(x)
	scales, err := b.floats(l.Name()+"/scales", []int{4}, []float32{1, 1, float32(l.Size[0]), float32(l.Size[1])})
	if err != nil {
		return value{}, err
	}
	y := b.node("Resize", l.Name(), []string{x.name, "", scales},
		stringAttr("mode", "nearest"),
		stringAttr("coordinate_transformation_mode", "asymmetric"),
		stringAttr("nearest_mode", "floor"))
	out := x.shape.Clone()
	out[0], out[1] = x.shape[0]*l.Size[0], x.shape[1]*l.Size[1]
	return value{name: y, shape: out, nchw: true}, nil
}

// stringAttr is a STRING attribute.
func stringAttr(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte(v)}
}
