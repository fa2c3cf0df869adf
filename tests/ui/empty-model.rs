tinyrnn::model! {
    pub struct Net;
    input [50, 3];
}

fn main() {}
