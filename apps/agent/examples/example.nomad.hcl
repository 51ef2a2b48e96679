job "example" {
  datacenters = ["dc1"]
  group "app" {
    task "hello" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "while true; do echo hello; sleep 5; done"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
