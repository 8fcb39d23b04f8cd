//! Compiles the Protobuf contract in `proto/` with the vendored `protoc`, so
//! a fresh machine needs no system install, and writes the descriptor set that
//! server reflection serves.

use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    // The analysis core alone (no `server` feature) has no use for the
    // generated code.
    if env::var_os("CARGO_FEATURE_SERVER").is_none() {
        return Ok(());
    }
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure()
        // google.rpc.Status, which stream items and Analyze's parts fail
        // with, is the message tonic-types already generates and builds
        // from a `tonic::Status`.
        .extern_path(".google.rpc.Status", "::tonic_types::pb::Status")
        .file_descriptor_set_path(out_dir.join("textanalysis_descriptor.bin"))
        .compile_with_config(
            config,
            &["proto/textanalysis/v1/text_analysis.proto"],
            &["proto"],
        )?;
    Ok(())
}
