tinyrnn::model! {
    input [50, 3];
    conv2d(3);
    dense(1);
}

fn main() {}
