tinyrnn::model! {}

fn main() {}
