tinyrnn::model! {
    input [10, 3];
    dense(4);
    relu(max_value = -1.0, negative_slope = x);
}

fn main() {}
