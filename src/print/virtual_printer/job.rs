//! The virtual printer as a device: each job's exact bytes and its rendering land in a folder.
//!
//! Files are numbered `job-000001.escpos` / `job-000001.png`; a number is claimed by creating
//! the `.escpos` file with `create_new`, so two printers sharing a folder, or a restart, never
//! overwrite an earlier job.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::error::VirtualPrinterError;
use super::render;

/// The highest job number tried before giving up (a folder holding a million jobs is a mistake).
const JOB_NUMBER_MAX: u32 = 999_999;

/// The files one job produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFiles {
    pub escpos_path: PathBuf,
    pub png_path: PathBuf,
}

/// A printer that writes files instead of dots on paper: the default printer.
#[derive(Debug, Clone)]
pub struct VirtualPrinter {
    dir: PathBuf,
    paper_width_dots: u32,
    next_job_number: u32,
}

impl VirtualPrinter {
    /// A printer writing into `dir` (created when the first job prints).
    pub fn new(dir: impl Into<PathBuf>, paper_width_dots: u32) -> Self {
        Self {
            dir: dir.into(),
            paper_width_dots,
            next_job_number: 1,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Renders the job first (so bytes the printer rejects leave no files), then writes the
    /// exact bytes and the PNG under the next free job number.
    pub fn print_job(&mut self, escpos: &[u8]) -> Result<JobFiles, VirtualPrinterError> {
        let rendered = render(escpos, self.paper_width_dots)?;
        let png_bytes = rendered
            .bitmap
            .to_png()
            .map_err(|source| VirtualPrinterError::Png {
                path: self.dir.clone(),
                source,
            })?;
        crate::private_files::private_dir(&self.dir).map_err(|source| VirtualPrinterError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let (job_number, mut escpos_file, escpos_path) = self.claim_job_number()?;
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| VirtualPrinterError::Io { path, source }
        };
        escpos_file
            .write_all(escpos)
            .and_then(|()| escpos_file.sync_all())
            .map_err(io_error(&escpos_path))?;
        let png_path = self.dir.join(format!("job-{job_number:06}.png"));
        let mut png_file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&png_path)
            .map_err(io_error(&png_path))?;
        png_file
            .write_all(&png_bytes)
            .and_then(|()| png_file.sync_all())
            .map_err(io_error(&png_path))?;
        Ok(JobFiles {
            escpos_path,
            png_path,
        })
    }

    /// Creates the next free `job-NNNNNN.escpos`, skipping numbers already taken.
    fn claim_job_number(&mut self) -> Result<(u32, File, PathBuf), VirtualPrinterError> {
        while self.next_job_number <= JOB_NUMBER_MAX {
            let job_number = self.next_job_number;
            self.next_job_number += 1;
            let path = self.dir.join(format!("job-{job_number:06}.escpos"));
            let png_taken = self.dir.join(format!("job-{job_number:06}.png")).exists();
            if png_taken {
                continue;
            }
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok((job_number, file, path)),
                Err(error) if error.kind() == ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(VirtualPrinterError::Io { path, source }),
            }
        }
        Err(VirtualPrinterError::Io {
            path: self.dir.clone(),
            source: std::io::Error::other(format!(
                "all job numbers up to {JOB_NUMBER_MAX} are taken"
            )),
        })
    }
}
