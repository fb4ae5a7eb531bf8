import Foundation

extension Thread {
    /// Starts a thread running `body`, named `name` (its first 15 bytes) where `top -H`, `ps -L`
    /// and debuggers show it: on Linux, Foundation's `Thread.name` does not reach the kernel, so
    /// every thread would show as its creator's (often a dispatch worker's) name. `package`: the
    /// embedded servers' child processes are waited for on such threads too.
    package static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            #if os(Linux)
            // What pthread_setname_np does, which Swift's Glibc module does not declare.
            let comm = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
            if comm >= 0 {
                let bytes = Array(name.utf8.prefix(15))
                _ = bytes.withUnsafeBytes { write(comm, $0.baseAddress, $0.count) }
                close(comm)
            }
            #endif
            body()
        }
        thread.name = name
        thread.start()
    }
}
