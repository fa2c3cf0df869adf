tinyrnn::model! {
    input [50, 3];
    dense(9999999999999999999);
}

fn main() {}
