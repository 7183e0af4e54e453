//! The `carecert` command: runs the server and the operator's tasks.

fn main() -> std::process::ExitCode {
    carecert::cli::main()
}
