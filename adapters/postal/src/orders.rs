//! Building the provider's orders from a dossier (pure functions).
//!
//! A pickup order carries the dossier from the applicant to the agency; a
//! delivery order carries the result from the agency to the applicant. The
//! agency's address comes from the settings (`agencies`); the applicant's
//! name and phone from the dossier. When the dossier carries the applicant's
//! structured address (`applicant_address`: province and commune codes,
//! street, phone — and the abolished district of an older three-level
//! address), both orders go there, with that phone. Without one, a delivery
//! goes to the address the applicant gave for the result (`result_address`,
//! DiaChiNhanKetQua); a pickup, and a delivery of a dossier filed without
//! either, leave the applicant's address empty: the provider then serves the
//! applicant at the post office of the agency's district (see the crate
//! report).

use crate::protocol::{OrderRequest, Party};
use crate::settings::{Agency, Cod, Settings};
use crate::vocabulary::ServiceType;
use lienthong_adapter::pb;

/// Why an order cannot be built (a definitive refusal of the event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderProblem(pub String);

fn agency_party(agency: &Agency) -> Party {
    Party {
        fullname: agency.name.clone(),
        address: agency.address.clone(),
        province: agency.province.clone(),
        district: agency.district.clone(),
        commune: String::new(),
        tel: agency.phone.clone(),
    }
}

fn applicant_party(dossier: &pb::Dossier, agency: &Agency, address: &str) -> Party {
    if let Some(a) = &dossier.applicant_address {
        return Party {
            fullname: dossier.owner_name.clone(),
            address: a.street.clone(),
            province: a.province_code.clone(),
            district: a.district_code.clone(),
            commune: a.commune_code.clone(),
            tel: a.phone.clone(),
        };
    }
    Party {
        fullname: dossier.owner_name.clone(),
        address: address.to_string(),
        province: agency.province.clone(),
        district: agency.district.clone(),
        commune: String::new(),
        tel: dossier.phone.clone(),
    }
}

/// The fees of the dossier not yet covered by its recorded payments.
pub fn unpaid_fees(dossier: &pb::Dossier) -> i64 {
    let due: i64 = dossier
        .fees
        .iter()
        .map(|f| f.amount_vnd.max(0))
        .fold(0i64, i64::saturating_add);
    let paid: i64 = dossier
        .payments
        .iter()
        .map(|p| p.amount_vnd.max(0))
        .fold(0i64, i64::saturating_add);
    due.saturating_sub(paid).max(0)
}

fn cod_amount(rule: Cod, dossier: &pb::Dossier) -> i64 {
    match rule {
        Cod::None => 0,
        Cod::UnpaidFees => unpaid_fees(dossier),
        Cod::Fixed(amount) => amount,
    }
}

/// The order for `service` of this dossier.
pub fn build(
    config: &Settings,
    service: ServiceType,
    dossier: &pb::Dossier,
) -> Result<OrderRequest, OrderProblem> {
    let agency = config.agencies.get(&dossier.agency_code).ok_or_else(|| {
        OrderProblem(format!(
            "agency {:?} of dossier {} has no address in the adapter settings (`agencies`)",
            dossier.agency_code, dossier.ma_ho_so
        ))
    })?;
    let (sender, receiver, cod, note) = match service {
        ServiceType::Pickup => (
            applicant_party(dossier, agency, ""),
            agency_party(agency),
            cod_amount(config.pickup_cod, dossier),
            format!("Thu gom hồ sơ: {}", dossier.procedure_name),
        ),
        ServiceType::Delivery => (
            agency_party(agency),
            applicant_party(dossier, agency, &dossier.result_address),
            cod_amount(config.delivery_cod, dossier),
            format!("Trả kết quả: {}", dossier.procedure_name),
        ),
    };
    Ok(OrderRequest {
        order_number: dossier.ma_ho_so.clone(),
        service_type: service,
        sender,
        receiver,
        agency_code: dossier.agency_code.clone(),
        cod_amount: cod,
        note,
    })
}
