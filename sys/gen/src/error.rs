//! The generator's error type: every error names the input file and, where there is one, the element or line.

use std::fmt;
use std::path::{Path, PathBuf};

/// A generator failure, naming the file (and element and position where known) that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The input file the error is about.
    pub file: PathBuf,
    /// A description of the element (`<method id="UntypedRetype">`), C item or line at fault, if any.
    pub element: Option<String>,
    /// 1-based (line, column) position in `file`, if known.
    pub position: Option<(u32, u32)>,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// An error about a whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Error {
            file: file.to_path_buf(),
            element: None,
            position: None,
            message: message.into(),
        }
    }

    /// An error about one element (or C item) of a file.
    pub fn element(
        file: &Path,
        element: impl Into<String>,
        position: Option<(u32, u32)>,
        message: impl Into<String>,
    ) -> Self {
        Error {
            file: file.to_path_buf(),
            element: Some(element.into()),
            position,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(element) = &self.element {
            write!(f, ": in {element}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

/// The generator's result type.
pub type Result<T> = std::result::Result<T, Error>;
