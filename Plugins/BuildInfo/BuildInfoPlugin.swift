import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` (the git commit the package is built from) into the target before
/// every build, so `market-console --version` names the commit without a value kept in git.
///
/// A prebuild command runs on every build; the script rewrites the file only when the commit
/// changed, so an unchanged checkout recompiles nothing. Outside a git checkout (a source
/// tarball) the commit reads `unknown`.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildCommit.swift")
        let script = context.package.directoryURL.appending(path: "scripts/build-commit.sh")
        return [.prebuildCommand(
            displayName: "Recording the git commit for --version",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [script.path(percentEncoded: false), context.package.directoryURL.path(percentEncoded: false),
                        output.path(percentEncoded: false)],
            outputFilesDirectory: context.pluginWorkDirectoryURL)]
    }
}
