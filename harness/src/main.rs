fn main() -> std::process::ExitCode {
    pgcompat::cli::main()
}
