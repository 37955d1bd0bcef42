//! The pipeline's error type.

use std::path::PathBuf;

/// Everything that can stop the kernel pipeline or a QEMU run. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is unreadable or rejected.
    #[error("selkie configuration: {0}")]
    Config(String),
    /// A host tool is missing and could not be installed.
    #[error("missing {tool} (from `{package}`): install it with `{command}`")]
    MissingTool {
        /// What is missing (a command such as `host tool make`, or a Rust target).
        tool: String,
        /// The Debian package (or tool) that provides it.
        package: String,
        /// The exact command that installs it.
        command: String,
    },
    /// The kernel source could not be obtained or is not a layout selkie can build.
    #[error("kernel source: {0}")]
    Source(String),
    /// The kernel build failed; `log` holds the build output.
    #[error("kernel build failed ({summary}); full log: {}", log.display())]
    Build {
        /// The first error lines of the build.
        summary: String,
        /// Where the whole build log was written.
        log: PathBuf,
    },
    /// A root-task image could not be read.
    #[error("image {}: {message}", path.display())]
    Image {
        /// The image file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A file-system or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}
