//! A partner cannot learn which dossiers exist outside its agencies: another
//! agency's dossier gets exactly the answer of one that does not exist, on
//! every read and every command.

use crate::common::{
    command, da_nang_one_stop, every_command, Client, TestHub, DA_NANG_TOKEN, ONE_STOP,
};
use lienthong::grpc::pb;
use tonic::{Code, Status};

fn by_ma_ho_so(ma_ho_so: &str) -> pb::DossierRef {
    pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma_ho_so.into())),
    }
}

async fn get(client: &mut Client, dossier: pb::DossierRef) -> Status {
    let request = client.req(pb::GetDossierRequest {
        dossier: Some(dossier),
    });
    client.dossiers.get_dossier(request).await.unwrap_err()
}

/// The two answers alike: same code, and the same message once the
/// reference each names is taken out.
fn alike(existing: &Status, unknown: &Status, names: (&str, &str), what: &str) {
    assert_eq!(existing.code(), Code::NotFound, "{what}: {existing:?}");
    assert_eq!(unknown.code(), Code::NotFound, "{what}: {unknown:?}");
    assert_eq!(
        existing.message().replace(names.0, "REF"),
        unknown.message().replace(names.1, "REF"),
        "{what}"
    );
}

// issue 10 defect 14
#[tokio::test]
async fn another_agencys_dossier_answers_like_an_unknown_one() {
    let mut hub = TestHub::start_with(|config| config.partners.push(da_nang_one_stop())).await;
    let mut owner = hub.client(ONE_STOP).await;
    let dossier = owner.submit("owned").await.dossier.unwrap();
    let (id, ma_ho_so) = (dossier.id, dossier.ma_ho_so.clone());
    // A well-formed MaHoSo of the same agency and day that no dossier has.
    let unknown_ma_ho_so = format!("{}99999", &ma_ho_so[..ma_ho_so.len() - 5]);
    let unknown_id = 999;
    let mut other = hub.client(DA_NANG_TOKEN).await;

    // Reads, by id and by MaHoSo.
    let (existing, unknown) = (
        get(&mut other, crate::common::by_id(id)).await,
        get(&mut other, crate::common::by_id(unknown_id)).await,
    );
    let ids = (id.to_string(), unknown_id.to_string());
    alike(&existing, &unknown, (&ids.0, &ids.1), "GetDossier by id");
    let (existing, unknown) = (
        get(&mut other, by_ma_ho_so(&ma_ho_so)).await,
        get(&mut other, by_ma_ho_so(&unknown_ma_ho_so)).await,
    );
    let codes = (ma_ho_so.as_str(), unknown_ma_ho_so.as_str());
    alike(&existing, &unknown, codes, "GetDossier by MaHoSo");

    // Every command, by id and by MaHoSo.
    for (name, asked) in every_command() {
        let existing = other
            .exec(command(&format!("{name}-a"), id, asked.clone()))
            .await
            .unwrap_err();
        let unknown = other
            .exec(command(&format!("{name}-b"), unknown_id, asked.clone()))
            .await
            .unwrap_err();
        alike(&existing, &unknown, (&ids.0, &ids.1), name);
        let mut existing = command(&format!("{name}-c"), 0, asked.clone());
        existing.dossier = Some(by_ma_ho_so(&ma_ho_so));
        let mut unknown = command(&format!("{name}-d"), 0, asked);
        unknown.dossier = Some(by_ma_ho_so(&unknown_ma_ho_so));
        let existing = other.exec(existing).await.unwrap_err();
        let unknown = other.exec(unknown).await.unwrap_err();
        alike(&existing, &unknown, codes, name);
    }

    // Nothing was written, and the owner still reads it.
    let got = owner.get(id).await.unwrap();
    assert_eq!(got.dossier.unwrap().version, 1);
    hub.stop().await;
}
