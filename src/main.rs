fn main() {
    std::process::exit(djship::cli::main());
}
