tinyrnn::model! {
    input [10, 3];
    dense(4);
    softmax(axis = 1);
}

fn main() {}
