//! The real `carecert` binary as an operator runs it, serving a test app's database from a
//! child process, with everything it logs captured in a file for the test to read.

use std::{
    fs::File,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use super::TestApp;

pub struct Binary {
    pub base: String,
    child: Child,
    log: PathBuf,
}

impl Binary {
    /// Starts `carecert serve` on a free port over `app`'s database and secret key, with
    /// `CARECERT_LOG` set to `log_filter`, and waits until it answers.
    pub async fn serve(app: &TestApp, log_filter: &str) -> Binary {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let log = app.dir.path().join(format!("carecert-{port}.log"));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_carecert"))
            .arg("serve")
            .env_remove("CARECERT_CONFIG")
            .env("CARECERT_DATABASE_URL", &app.database_url)
            .env("CARECERT_SECRET_KEY", &app.secret_key)
            .env("CARECERT_BIND", format!("127.0.0.1:{port}"))
            .env("CARECERT_PUBLIC_URL", &base)
            .env(
                "CARECERT_SMTP_URL",
                format!("smtp://127.0.0.1:{}", app.smtp.port),
            )
            .env("CARECERT_LOG", log_filter)
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("start carecert");
        let binary = Binary { base, child, log };
        let http = reqwest::Client::new();
        for _ in 0..300 {
            let up = http.get(format!("{}/healthz", binary.base)).send().await;
            if up.is_ok_and(|r| r.status().is_success()) {
                return binary;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("carecert did not start: {}", binary.logs());
    }

    /// Everything the process has written so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
