//! The little of HDF5 that Keras files need, over `hdf5-reader`: groups by path, float32
//! (and integer) datasets, string attributes. Every size read from the file is checked
//! against the file's own length before anything is allocated for it.

use crate::LoadError;
use hdf5_reader::messages::datatype::{Datatype, VarLenKind};
use hdf5_reader::{Hdf5File, OpenOptions};

/// An HDF5 file in memory.
pub struct H5 {
    file: Hdf5File,
    /// The file's length: no read may allocate more than this.
    len: usize,
}

fn err(path: &str, e: impl std::fmt::Display) -> LoadError {
    LoadError::Hdf5(format!("`/{path}`: {e}"))
}

impl H5 {
    pub fn open(bytes: &[u8]) -> Result<Self, LoadError> {
        // A contiguous, unfiltered dataset (all Keras writes) cannot be larger than the file.
        let limit = bytes.len().saturating_mul(2).max(1 << 16);
        let options = OpenOptions {
            chunk_cache_bytes: 0,
            max_chunk_bytes: limit,
            max_read_bytes: limit,
            max_object_header_bytes: limit,
            ..OpenOptions::default()
        };
        let file = Hdf5File::from_bytes_with_options(bytes, options)
            .map_err(|e| LoadError::Hdf5(format!("cannot open: {e}")))?;
        Ok(Self {
            file,
            len: bytes.len(),
        })
    }

    /// Whether a group exists at `path` (relative to the root).
    pub fn has_group(&self, path: &str) -> bool {
        self.file.group(&format!("/{path}")).is_ok()
    }

    /// The names of a group's members (subgroups, then datasets).
    pub fn children(&self, path: &str) -> Result<Vec<String>, LoadError> {
        let group = self
            .file
            .group(&format!("/{path}"))
            .map_err(|e| err(path, e))?;
        let (mut groups, datasets) = group.member_names().map_err(|e| err(path, e))?;
        groups.extend(datasets);
        Ok(groups)
    }

    /// A float32 dataset: its shape and its values, row-major. An integer dataset (the
    /// `count` of Keras's `Normalization`, an int64 scalar) reads as the nearest floats.
    pub fn read_f32(&self, path: &str) -> Result<(Vec<usize>, Vec<f32>), LoadError> {
        let dataset = self
            .file
            .dataset(&format!("/{path}"))
            .map_err(|e| err(path, e))?;
        let integer = match dataset.dtype() {
            Datatype::FloatingPoint { size: 4, .. } => None,
            Datatype::FixedPoint {
                size: size @ (4 | 8),
                signed: true,
                ..
            } => Some(usize::from(*size)),
            other => {
                return Err(err(
                    path,
                    format!("expected float32 weights, found {other:?}"),
                ));
            }
        };
        let shape: Vec<usize> = dataset
            .shape()
            .iter()
            .map(|&d| usize::try_from(d).map_err(|_| err(path, "a dimension overflows usize")))
            .collect::<Result<_, _>>()?;
        let count = shape
            .iter()
            .try_fold(1_usize, |n, &d| n.checked_mul(d))
            .filter(|n| n.saturating_mul(integer.unwrap_or(4)) <= self.len)
            .ok_or_else(|| {
                err(
                    path,
                    format!("shape {shape:?} is larger than the {}-byte file", self.len),
                )
            })?;
        #[allow(
            clippy::cast_precision_loss,
            reason = "a count of samples, as Keras's float"
        )]
        let data = match integer {
            None => {
                let mut data = vec![0.0_f32; count];
                dataset.read_into(&mut data).map_err(|e| err(path, e))?;
                data
            }
            Some(4) => {
                let mut data = vec![0_i32; count];
                dataset.read_into(&mut data).map_err(|e| err(path, e))?;
                data.into_iter().map(|v| v as f32).collect()
            }
            Some(_) => {
                let mut data = vec![0_i64; count];
                dataset.read_into(&mut data).map_err(|e| err(path, e))?;
                data.into_iter().map(|v| v as f32).collect()
            }
        };
        Ok((shape, data))
    }

    /// A dataset's number of values and their total bytes (by its dtype's size), without
    /// reading them.
    pub fn dataset_size(&self, path: &str) -> Result<(usize, usize), LoadError> {
        let dataset = self
            .file
            .dataset(&format!("/{path}"))
            .map_err(|e| err(path, e))?;
        let item = match dataset.dtype() {
            Datatype::FloatingPoint { size, .. } | Datatype::FixedPoint { size, .. } => {
                usize::from(*size)
            }
            other => return Err(err(path, format!("expected numbers, found {other:?}"))),
        };
        let count = dataset
            .shape()
            .iter()
            .try_fold(1_usize, |n, &d| n.checked_mul(usize::try_from(d).ok()?))
            .ok_or_else(|| err(path, "its size overflows usize"))?;
        let bytes = count
            .checked_mul(item)
            .ok_or_else(|| err(path, "its size overflows usize"))?;
        Ok((count, bytes))
    }

    fn attribute(
        &self,
        path: &str,
        name: &str,
    ) -> Result<Option<hdf5_reader::Attribute>, LoadError> {
        let group = self
            .file
            .group(&format!("/{path}"))
            .map_err(|e| err(path, e))?;
        let attributes = group.attributes().map_err(|e| err(path, e))?;
        Ok(attributes.into_iter().find(|a| a.name == name))
    }

    /// A scalar string attribute of a group, `None` when absent.
    pub fn attr_string(&self, path: &str, name: &str) -> Result<Option<String>, LoadError> {
        match self.attribute(path, name)? {
            Some(a) => a
                .read_string()
                .map(Some)
                .map_err(|e| err(path, format!("attribute `{name}`: {e}"))),
            None => Ok(None),
        }
    }

    /// A string-array attribute of a group. Keras writes an empty float64 array for layers
    /// without weights, which reads as no strings.
    pub fn attr_strings(&self, path: &str, name: &str) -> Result<Vec<String>, LoadError> {
        let Some(a) = self.attribute(path, name)? else {
            return Err(err(path, format!("no attribute `{name}`")));
        };
        let is_string = matches!(
            a.datatype,
            Datatype::String { .. }
                | Datatype::VarLen {
                    kind: VarLenKind::String,
                    ..
                }
        );
        if !is_string {
            return if a.shape.iter().product::<u64>() == 0 {
                Ok(Vec::new())
            } else {
                Err(err(
                    path,
                    format!("attribute `{name}` is not a list of strings"),
                ))
            };
        }
        a.read_strings()
            .map_err(|e| err(path, format!("attribute `{name}`: {e}")))
    }
}
