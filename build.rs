//! Generates the `lienthong.v1` gRPC code from `proto/` with protox, so that
//! building needs no system `protoc`. The encoded descriptor set is written
//! beside the generated code for gRPC reflection.

use prost::Message;
use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "proto/lienthong/v1/dossier.proto",
    "proto/lienthong/v1/commands.proto",
    "proto/lienthong/v1/events.proto",
    "proto/lienthong/v1/catalog.proto",
    "proto/lienthong/v1/hub.proto",
    "proto/lienthong/v1/amqp.proto",
    "proto/lienthong/v1/admin.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(PROTOS, ["proto"])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("lienthong_descriptor.bin"),
        fds.encode_to_vec(),
    )?;
    tonic_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
