//! Generates the `lienthong.v1` gRPC code from `lienthong/v1/` with protox, so that
//! building needs no system `protoc`. The encoded descriptor set is written
//! beside the generated code for gRPC reflection.

use prost::Message;
use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "lienthong/v1/dossier.proto",
    "lienthong/v1/commands.proto",
    "lienthong/v1/events.proto",
    "lienthong/v1/catalog.proto",
    "lienthong/v1/hub.proto",
    "lienthong/v1/amqp.proto",
    "lienthong/v1/admin.proto",
    "lienthong/v1/audit.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=lienthong");
    let fds = protox::compile(PROTOS, ["."])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("lienthong_descriptor.bin"),
        fds.encode_to_vec(),
    )?;
    // Undecodable requests are INVALID_ARGUMENT, not tonic's INTERNAL
    // (`src/codec.rs`).
    tonic_build::configure()
        .codec_path("crate::codec::ContractCodec")
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
