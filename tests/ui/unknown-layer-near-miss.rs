tinyrnn::model! {
    input [50, 3];
    simple_rn(2);
    dense(1);
}

fn main() {}
