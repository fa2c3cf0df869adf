//! The `.keras` container: a zip whose members Keras stores uncompressed.

use crate::LoadError;
use std::io::{Cursor, Read};

/// A zip archive held in memory, with its members read whole.
pub struct Archive {
    members: Vec<(String, Vec<u8>)>,
}

/// Members larger than this are refused: Keras models for tinyrnn are small, and the limit
/// keeps a hostile size field from asking for gigabytes.
const MAX_MEMBER: u64 = 1 << 30;

impl Archive {
    /// Reads every member of the archive in `bytes`.
    pub fn new(bytes: &[u8]) -> Result<Self, LoadError> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| LoadError::Zip(format!("not a readable zip archive: {e}")))?;
        let mut members = Vec::new();
        // What all members together may hold: many entries can point at one deflated run,
        // so a per-member limit alone would let memory grow with the square of the file.
        let mut left = 4 * bytes.len() as u64 + 1024;
        for i in 0..zip.len() {
            let mut file = zip
                .by_index(i)
                .map_err(|e| LoadError::Zip(format!("member {i}: {e}")))?;
            let name = file
                .name()
                .map_err(|e| LoadError::Zip(format!("member {i} has no readable name: {e}")))?
                .into_owned();
            let size = file.size();
            if size > MAX_MEMBER || size > left {
                return Err(LoadError::Zip(format!(
                    "member `{name}` claims {size} bytes in a {}-byte file",
                    bytes.len()
                )));
            }
            let mut data = Vec::new();
            file.by_ref()
                .take(size)
                .read_to_end(&mut data)
                .map_err(|e| LoadError::Zip(format!("member `{name}`: {e}")))?;
            left -= data.len() as u64;
            members.push((name, data));
        }
        Ok(Self { members })
    }

    /// The member called `name`.
    pub fn member(&self, name: &str) -> Result<&[u8], LoadError> {
        self.members
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, data)| data.as_slice())
            .ok_or_else(|| {
                let found: Vec<&str> = self.members.iter().map(|(n, _)| n.as_str()).collect();
                LoadError::Zip(format!(
                    "no `{name}` in the archive; it has [{}]",
                    found.join(", ")
                ))
            })
    }
}
