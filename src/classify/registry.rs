//! The models a server answers with: the built-in news model, compiled into
//! the binary, and models loaded by name from files or a directory.
//!
//! The set is replaced whole on reload (SIGHUP): a new set is loaded and
//! checked completely before it is swapped in, so a bad file leaves the old
//! set serving, and requests already running keep the set they started with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::model::{Model, ModelError};
use crate::semantic::EmbedderInfo;

/// Name of the built-in model.
pub const BUILTIN_NAME: &str = "news";

/// Bytes of the built-in news model (see `docs/model-format.md` for how it
/// is built).
static BUILTIN: &[u8] = include_bytes!("../../models/news.tam");

/// File extension of model files in a models directory.
pub const MODEL_EXTENSION: &str = "tam";

/// Where models come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelSources {
    /// A directory whose `*.tam` files are loaded, each under its file stem.
    pub dir: Option<PathBuf>,
    /// Models given one by one, as (name, path).
    pub files: Vec<(String, PathBuf)>,
    /// Name of the model used when a request names none; the built-in
    /// model when unset.
    pub default: Option<String>,
    /// The server's sentence encoder, if one is loaded: a model trained
    /// with semantic features on another encoder (another name or
    /// dimension) is refused, since its weights mean nothing for these
    /// vectors. Without an encoder such models load, and requests that name
    /// them fail.
    pub encoder: Option<EmbedderInfo>,
}

/// Why a set of models could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A model file is unreadable, corrupt or of an incompatible version.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The built-in model does not parse: a build problem.
    #[error("the built-in news model is unusable: {0}")]
    Builtin(ModelError),
    /// The models directory cannot be listed.
    #[error("cannot read the models directory {path}: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A model was trained with semantic features on another encoder than
    /// the server's.
    #[error("model file {}: {reason}", path.display())]
    Encoder {
        /// The file.
        path: PathBuf,
        /// Which encoder it needs.
        reason: String,
    },
    /// Two sources give a model the same name.
    #[error("two models are named `{0}`; names must be unique")]
    Duplicate(String),
    /// The default names no loaded model.
    #[error("the default model `{0}` is not among the loaded models")]
    UnknownDefault(String),
}

/// One consistent set of loaded models.
#[derive(Debug)]
pub struct Registry {
    models: BTreeMap<String, Arc<Model>>,
    default: String,
}

impl Registry {
    /// The built-in model alone.
    pub fn builtin_only() -> Result<Self, RegistryError> {
        Self::load(&ModelSources::default())
    }

    /// Loads the built-in model and every model of `sources`.
    pub fn load(sources: &ModelSources) -> Result<Self, RegistryError> {
        let mut models = BTreeMap::new();
        let builtin = builtin().map_err(RegistryError::Builtin)?;
        models.insert(BUILTIN_NAME.to_owned(), Arc::new(builtin));
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        if let Some(dir) = &sources.dir {
            files.extend(model_files(dir)?);
        }
        files.extend(sources.files.iter().cloned());
        for (name, path) in files {
            let model = Model::load(&path)?;
            if let (Some(semantic), Some(encoder)) = (model.semantic(), &sources.encoder)
                && let Some(reason) = semantic.mismatch(&encoder.name, encoder.dim)
            {
                return Err(RegistryError::Encoder { path, reason });
            }
            if models.insert(name.clone(), Arc::new(model)).is_some() {
                return Err(RegistryError::Duplicate(name));
            }
        }
        let default = sources
            .default
            .clone()
            .unwrap_or_else(|| BUILTIN_NAME.to_owned());
        if !models.contains_key(&default) {
            return Err(RegistryError::UnknownDefault(default));
        }
        Ok(Self { models, default })
    }

    /// The model called `name`; the default model for an empty name.
    pub fn get(&self, name: &str) -> Option<(&str, &Arc<Model>)> {
        let name = if name.is_empty() { &self.default } else { name };
        self.models
            .get_key_value(name)
            .map(|(k, m)| (k.as_str(), m))
    }

    /// The name of the default model.
    pub fn default_name(&self) -> &str {
        &self.default
    }

    /// The built-in model, whose statistics weigh ad-hoc topics.
    pub fn builtin(&self) -> Option<&Arc<Model>> {
        self.models.get(BUILTIN_NAME)
    }

    /// Every model, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Arc<Model>)> {
        self.models.iter().map(|(k, m)| (k.as_str(), m))
    }
}

/// Parses the built-in model.
pub fn builtin() -> Result<Model, ModelError> {
    Model::from_bytes(BUILTIN)
}

/// `*.tam` files of `dir`, sorted, named by file stem.
fn model_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, RegistryError> {
    let io = |source| RegistryError::Dir {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().and_then(|e| e.to_str()) != Some(MODEL_EXTENSION) {
            continue;
        }
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            files.push((stem.to_owned(), path.clone()));
        }
    }
    files.sort();
    Ok(files)
}

/// The current set of models, replaceable while requests run.
#[derive(Debug)]
pub struct ModelStore {
    sources: ModelSources,
    current: RwLock<Arc<Registry>>,
}

impl ModelStore {
    /// Loads `sources`; fails (at start-up) on any bad model.
    pub fn load(sources: ModelSources) -> Result<Self, RegistryError> {
        let registry = Registry::load(&sources)?;
        Ok(Self {
            sources,
            current: RwLock::new(Arc::new(registry)),
        })
    }

    /// The current set. Callers keep it for the whole request.
    pub fn current(&self) -> Arc<Registry> {
        // A poisoned lock means a panic while swapping an Arc, which leaves
        // the value intact: keep serving it.
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Loads the sources again and swaps the new set in; on error the old
    /// set stays and the error is returned for logging.
    pub fn reload(&self) -> Result<usize, RegistryError> {
        let registry = Arc::new(Registry::load(&self.sources)?);
        let count = registry.models.len();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = registry;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::FeatureKind;
    use crate::classify::train::{ExampleEmbeddings, TrainOptions, train};
    use crate::deadline::Deadline;
    use crate::semantic::Embedder;
    use crate::semantic::fake::FakeEmbedder;

    #[test]
    fn a_model_of_another_encoder_is_refused_naming_its_file() {
        let fake = FakeEmbedder::new();
        let examples = crate::classify::train::tests_semantic::synonym_examples();
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let vectors = fake.embed(&texts, Deadline::NONE).unwrap();
        let options = TrainOptions {
            features: FeatureKind::Semantic,
            ..TrainOptions::default()
        };
        let embeddings = ExampleEmbeddings {
            encoder: fake.info(),
            vectors: &vectors,
        };
        let (model, _) = train(&examples, Some(embeddings), &options, &mut |_| {}).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meaning.tam");
        std::fs::write(&path, model.to_bytes()).unwrap();
        let sources = |encoder: Option<EmbedderInfo>| ModelSources {
            dir: Some(dir.path().to_owned()),
            encoder,
            ..ModelSources::default()
        };
        // Its own encoder, or none (requests naming it then fail): loads.
        assert!(Registry::load(&sources(Some(fake.info().clone()))).is_ok());
        assert!(Registry::load(&sources(None)).is_ok());
        for other in [
            EmbedderInfo {
                name: "other".into(),
                ..fake.info().clone()
            },
            EmbedderInfo {
                dim: 384,
                ..fake.info().clone()
            },
        ] {
            let e = Registry::load(&sources(Some(other)))
                .unwrap_err()
                .to_string();
            assert!(e.contains(&path.display().to_string()), "{e}");
            assert!(e.contains("encoder `fake`"), "{e}");
        }
    }
}
