tinyrnn::model! {
    input [10, 3];
    dense(4);
    activation(tanhh);
}

fn main() {}
