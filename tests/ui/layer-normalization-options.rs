tinyrnn::model! {
    input [10, 3];
    layer_normalization(axis = 1, center = 1, epsilon = -0.5);
}

fn main() {}
