//! The valid submission the domain's unit tests start from: validation's
//! tests break one field of it at a time, the fingerprint's pin a few
//! fields over it. One place, so a field added to `NewDossier` is filled
//! once.

use crate::{ApplicantType, Channel, Document, Fee, NewDossier, ResultDelivery};

/// A birth registration (khai sinh) that passes every rule.
pub fn new_dossier() -> NewDossier {
    NewDossier {
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        sector_code: "G09".into(),
        channel: Some(Channel::Online),
        owner_name: "Trần Thị Bình".into(),
        applicant_type: Some(ApplicantType::Citizen),
        owner_id_number: "001190000001".into(),
        email: "binh@example.vn".into(),
        phone: "+84912345678".into(),
        summary: "Đăng ký khai sinh cho con".into(),
        result_delivery: Some(ResultDelivery::Electronic),
        documents: vec![doc()],
        fees: vec![fee()],
        ma_ho_so: String::new(),
        result_address: String::new(),
        applicant_address: None,
    }
}

/// Its one document.
pub fn doc() -> Document {
    Document {
        component_code: "TP01".into(),
        name: "Tờ khai".into(),
        url: "https://files.example.vn/tp01.pdf".into(),
    }
}

/// Its one fee.
pub fn fee() -> Fee {
    Fee {
        code: "LP01".into(),
        name: "Lệ phí".into(),
        amount_vnd: 8_000,
    }
}
