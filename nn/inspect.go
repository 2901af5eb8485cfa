package nn

// Read-only views of a built model's structure, for tools that translate a
// model into another format (the ONNX exporter): which activation a layer
// applies, and how a functional model's nodes connect.

// Activation is the name of the activation that the layer applies after its
// product: "linear", "relu", "leaky_relu" (slope 0.2), "tanh" or "sigmoid"
// (after Build; "" before).
func (d *DenseLayer) Activation() string { return d.activation.name }

// Activation is the name of the activation that the layer applies after its
// convolution, as DenseLayer's.
func (c *Conv2DLayer) Activation() string { return c.activation.name }

// Activation is the name of the activation that the layer applies after its
// transposed convolution, as DenseLayer's.
func (c *Conv2DTransposeLayer) Activation() string { return c.activation.name }

// Function is the name of the activation the layer applies: "linear", "relu",
// "leaky_relu" (slope 0.2), "tanh" or "sigmoid".
func (a *ActivationLayer) Function() string { return a.fn.name }

// Inputs are the nodes that n's layer is applied to (none for a model input).
// The slice is n's own: callers must not change it.
func (n *Node) Inputs() []*Node { return n.inputs }

// InputNodes are the model's inputs, in the order CallInputs takes them.
func (m *Model) InputNodes() []*Node { return append([]*Node(nil), m.inputs...) }

// OutputNode is the node whose value the model returns.
func (m *Model) OutputNode() *Node { return m.output }
