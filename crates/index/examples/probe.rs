//! Prints the name engine's verdict on two names (a debugging aid).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let m = haven_names::Matcher::bundled();
    let v = m.compare(&args[1], &args[2]);
    println!("{} {}", v.score, v.explanation);
    let a = m.analyse(&args[1]);
    println!("{:?}", String::from_utf8_lossy(&a.joined_key()));
    let b = m.analyse(&args[2]);
    println!("{:?}", String::from_utf8_lossy(&b.joined_key()));
}
