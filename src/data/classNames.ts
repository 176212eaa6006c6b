/**
 * Class names of the image data sets, indexed by label. MNIST's labels are the digits themselves;
 * Fashion-MNIST's are the ten Zalando article types in the order of its README
 * (github.com/zalandoresearch/fashion-mnist, "Labels"), label 0 = T-shirt/top … 9 = Ankle boot.
 */
export const DIGIT_CLASSES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);
