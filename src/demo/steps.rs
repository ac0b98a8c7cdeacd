//! One dossier's steps, done by whoever does them in real life: filed on the
//! portal simulator or submitted by the officer over gRPC; then either the
//! one-stop system reporting in its own status codes (justice department)
//! or the officers working in the hosted workspace's pages (construction
//! department);
//! paid at the gateway simulator; returned by the post's own tracking.
//! Every wait is bounded and names what it waited for.

use super::scenario::{Channel, Department, Lived, Plan, Return};
use super::world::{World, PROVINCE};
use super::DemoError;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong_adapter_legacy::simulator::LegacyUpdate;
use lienthong_adapter_national_portal::simulator::HoSo;
use lienthong_adapter_one_stop::simulator::{self as one_stop, StatusReport};
use lienthong_adapter_postal::simulator::codes as postal_codes;
use lienthong_adapter_postal::simulator::ServiceType;
use std::time::Duration;

const NAMES: [&str; 12] = [
    "Trần Thị Bình",
    "Nguyễn Văn An",
    "Lê Hoàng Cường",
    "Phạm Thu Dung",
    "Hoàng Minh Đức",
    "Vũ Thị Giang",
    "Đặng Quốc Huy",
    "Bùi Thị Lan",
    "Đỗ Minh Châu",
    "Ngô Văn Khải",
    "Dương Thị Mai",
    "Lý Thanh Nam",
];
const OFFICER: &str = "Nguyễn Thị Hạnh";
const CLERK: &str = "Phạm Thu Hà";
const CLERK_UNIT: &str = "Bộ phận Một cửa Sở Tư pháp";

/// What a step does, whoever does it.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    Receive { due_in: Duration },
    Refuse,
    StartProcessing,
    RequestSupplement,
    SubmitSupplement,
    RequestFees,
    Reschedule { due_in: Duration },
    Finish,
    ReturnResult,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Receive { .. } => "receive",
            Action::Refuse => "refuse",
            Action::StartProcessing => "start_processing",
            Action::RequestSupplement => "request_supplement",
            Action::SubmitSupplement => "submit_supplement",
            Action::RequestFees => "request_financial_obligation",
            Action::Reschedule { .. } => "reschedule",
            Action::Finish => "finish",
            Action::ReturnResult => "return_result",
        }
    }
}

pub struct Dossier<'w> {
    world: &'w World,
    plan: Plan,
    pub ma_ho_so: String,
}

fn now_unix() -> i64 {
    lienthong::domain::UnixMillis::now().0 / 1000
}

fn by_ma(ma_ho_so: &str) -> pb::DossierRef {
    pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma_ho_so.to_string())),
    }
}

/// The procedure a department's dossier asks for (codes of the portal's
/// catalogue): (code, name, sector).
fn procedure(plan: &Plan) -> (&'static str, &'static str, &'static str) {
    match (plan.department, plan.number % 2) {
        (Department::Justice, 0) => (
            "1.000894.000.00.00.H22",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "G09",
        ),
        (Department::Justice, _) => ("2.000889.000.00.00.H22", "Đăng ký khai sinh", "G11"),
        (Department::Construction, _) => {
            ("1.001612.000.00.00.H22", "Cấp giấy phép xây dựng", "G05")
        }
    }
}

fn fee(plan: &Plan) -> (&'static str, &'static str, i64) {
    match plan.department {
        Department::Justice => ("LP01", "Lệ phí cấp Phiếu lý lịch tư pháp", 200_000),
        Department::Construction => ("LP02", "Lệ phí cấp giấy phép xây dựng", 150_000),
    }
}

/// The ID number written on demo dossier `number` (what its applicant
/// types on the portal's lookup page).
pub fn id_number(number: usize) -> String {
    format!("0221900{number:05}")
}

impl<'w> Dossier<'w> {
    /// Files the dossier through its channel; answers once the hub has it.
    pub async fn file(world: &'w World, plan: Plan) -> Result<Dossier<'w>, DemoError> {
        let owner = NAMES[plan.number % NAMES.len()];
        let (code, name, sector) = procedure(&plan);
        let phone = format!("09{:08}", 12_345_000 + plan.number);
        let email = format!("cong.dan{}@example.vn", plan.number);
        let id_number = id_number(plan.number);
        let summary = format!("{name} — {owner}");
        if plan.channel == Channel::Portal {
            let stamp = lienthong_adapter::vietnam_time::format(now_unix());
            let ma = format!(
                "{}-{}-{:05}",
                plan.agency(),
                stamp.get(2..8).unwrap_or("000000"),
                90_000 + plan.number
            );
            world.portal.file_on_portal(
                PROVINCE,
                HoSo {
                    MaHoSo: ma.clone(),
                    MaTTHC: code.into(),
                    TenTTHC: name.into(),
                    MaLinhVuc: sector.into(),
                    KenhThucHien: 2,
                    ChuHoSo: owner.into(),
                    LoaiDoiTuong: 1,
                    SoGiayToChuHoSo: id_number,
                    Email: email,
                    SoDienThoai: phone,
                    TrichYeuHoSo: summary,
                    NgayNopHoSo: lienthong_adapter::vietnam_time::format(now_unix() - 60),
                    TrangThaiHoSo: 1,
                    HinhThuc: Some(match plan.result {
                        Return::Counter => 0,
                        Return::Post => 1,
                        Return::Electronic => 2,
                    }),
                    ..Default::default()
                },
            );
            let d = Dossier {
                world,
                plan,
                ma_ho_so: ma,
            };
            d.wait("pushed down from the national portal", 30, |r| r.is_some())
                .await?;
            return Ok(d);
        }
        if plan.channel == Channel::Online {
            let web = world.web_addr.ok_or_else(|| DemoError::Connect {
                addr: "[web] listen".into(),
                reason: "the hub runs without [web]: nobody can file on its portal".into(),
            })?;
            // The national portal's admin units are published by the time
            // the day starts: the form asks to choose the province and a
            // commune of it (Phường Hạ Long, Quảng Ninh), then the street.
            let address = format!("Số {} đường Trần Hưng Đạo", plan.number);
            let by_post = plan.result == Return::Post;
            let filer = super::filing::Filer {
                name: owner,
                email: &email,
                id_number: &id_number,
                phone: &phone,
                summary: &summary,
                delivery: match plan.result {
                    Return::Counter => "quay",
                    Return::Post => "buu-dien",
                    Return::Electronic => "dien-tu",
                },
                address: if by_post { &address } else { "" },
                province_code: if by_post { "22" } else { "" },
                commune_code: if by_post { "06658" } else { "" },
            };
            let ma = super::filing::file_online(web, code, &filer).await?;
            return Ok(Dossier {
                world,
                plan,
                ma_ho_so: ma,
            });
        }
        let submit = pb::SubmitDossier {
            agency_code: plan.agency().into(),
            procedure_code: code.into(),
            procedure_name: name.into(),
            sector_code: sector.into(),
            channel: match plan.channel {
                Channel::Postal => pb::SubmissionChannel::Postal,
                _ => pb::SubmissionChannel::Counter,
            } as i32,
            owner_name: owner.into(),
            applicant_type: pb::ApplicantType::Citizen as i32,
            owner_id_number: id_number,
            email,
            phone,
            summary,
            result_delivery: match plan.result {
                Return::Counter => pb::ResultDelivery::AtCounter,
                Return::Post => pb::ResultDelivery::ByPost,
                Return::Electronic => pb::ResultDelivery::Electronic,
            } as i32,
            documents: vec![pb::Document {
                component_code: "TP01".into(),
                name: "Tờ khai".into(),
                url: format!("https://files.example.vn/demo/{}/to-khai.pdf", plan.number),
            }],
            ..Default::default()
        };
        let request = pb::CommandRequest {
            idempotency_key: format!("demo-submit-{}", plan.number),
            actor: OFFICER.into(),
            unit: "Trung tâm Phục vụ hành chính công".into(),
            command: Some(C::Submit(submit)),
            ..Default::default()
        };
        let reply = world.officer.exec("submitting a dossier", request).await?;
        let ma = reply.dossier.map(|d| d.ma_ho_so).unwrap_or_default();
        Ok(Dossier {
            world,
            plan,
            ma_ho_so: ma,
        })
    }

    pub fn lived(&self) -> Lived {
        Lived {
            plan: self.plan,
            ma_ho_so: self.ma_ho_so.clone(),
        }
    }

    async fn current(&self) -> Result<Option<pb::Dossier>, DemoError> {
        Ok(self
            .world
            .officer
            .dossier(by_ma(&self.ma_ho_so))
            .await?
            .and_then(|r| r.dossier))
    }

    /// Polls the dossier until `done` holds.
    async fn wait(
        &self,
        what: &str,
        seconds: u64,
        done: impl Fn(Option<&pb::Dossier>) -> bool,
    ) -> Result<pb::Dossier, DemoError> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            let current = self.current().await?;
            if done(current.as_ref()) {
                if let Some(d) = current {
                    return Ok(d);
                }
            }
            if tokio::time::Instant::now() > deadline {
                return Err(DemoError::Timeout {
                    what: format!("{} {what}", self.ma_ho_so),
                    seconds,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_status(
        &self,
        what: &str,
        status: pb::DossierStatus,
    ) -> Result<pb::Dossier, DemoError> {
        self.wait(what, 30, |d| d.is_some_and(|d| d.status == status as i32))
            .await
    }

    /// The post collects the dossier (its pickup order moves on).
    pub async fn wait_for_pickup(&self) -> Result<(), DemoError> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let status = self
                .world
                .postal
                .order(&self.ma_ho_so, ServiceType::Pickup)
                .map(|o| o.status);
            if matches!(
                status.as_deref(),
                Some(postal_codes::PICKED | postal_codes::HANDED_OVER)
            ) {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(DemoError::Timeout {
                    what: format!("the post collecting {}", self.ma_ho_so),
                    seconds: 30,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The one-stop system holds the dossier (the hub routed it there).
    pub async fn wait_routed_to_one_stop(&self) -> Result<(), DemoError> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.world.one_stop.held(&self.ma_ho_so).is_none() {
            if tokio::time::Instant::now() > deadline {
                return Err(DemoError::Timeout {
                    what: format!("{} routed to the one-stop system", self.ma_ho_so),
                    seconds: 30,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    pub async fn wait_until_overdue(&self) -> Result<(), DemoError> {
        let d = self
            .current()
            .await?
            .ok_or_else(|| DemoError::Lost(format!("{} disappeared", self.ma_ho_so)))?;
        let due = d.due_at.map(|t| t.seconds).unwrap_or_default();
        let wait = (due + 1 - now_unix()).clamp(0, 10);
        tokio::time::sleep(Duration::from_secs(wait as u64)).await;
        Ok(())
    }

    /// The payment the gateway created for the current obligation.
    pub async fn wait_for_payment(&self) -> Result<String, DemoError> {
        let owing = self
            .wait_status("asked to pay", pb::DossierStatus::FinancialObligation)
            .await?;
        let reference = format!("{}-{}", owing.ma_ho_so, owing.version);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.world.gateway.payment(&reference).is_none() {
            if tokio::time::Instant::now() > deadline {
                return Err(DemoError::Timeout {
                    what: format!("payment {reference} created at the gateway"),
                    seconds: 30,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(reference)
    }

    /// The applicant pays on the gateway's page (unless the gateway settles
    /// it by itself); the dossier goes back to processing.
    pub async fn pay(&self, settles_by_itself: bool) -> Result<(), DemoError> {
        let reference = self.wait_for_payment().await?;
        if !settles_by_itself {
            // An error here means it is no longer pending (already settled):
            // the wait below is what counts.
            let _ = self.world.gateway.pay(&reference).await;
        }
        self.wait_status("paid, back in processing", pb::DossierStatus::Processing)
            .await?;
        Ok(())
    }

    /// The post delivers the result; its tracking returns it in the hub.
    pub async fn wait_returned_by_post(&self) -> Result<(), DemoError> {
        self.wait_status("returned by post", pb::DossierStatus::ResultReturned)
            .await?;
        Ok(())
    }

    /// The ministry's legacy system finishes the dossier, in its own codes
    /// (a construction permit decided at the ministry).
    pub async fn finish_in_legacy_system(&self) -> Result<(), DemoError> {
        let update = LegacyUpdate {
            request_id: format!("YC-{}-XONG", self.plan.number),
            ma_ho_so: self.ma_ho_so.clone(),
            status: "DA_XU_LY".into(),
            note: "Đã cấp giấy phép".into(),
            officer: "Trần Quốc Việt".into(),
            unit: "Cục Quản lý hoạt động xây dựng".into(),
            result_name: Some("Giấy phép xây dựng".into()),
            ..Default::default()
        };
        let mut last = String::new();
        for _ in 0..100 {
            let answers = self.world.legacy.send_update(&update).await;
            if answers.iter().any(|a| a.status == Some(200)) {
                return Ok(());
            }
            let retry = answers
                .iter()
                .all(|a| matches!(a.status, None | Some(401 | 403 | 429 | 500..=599)));
            last = answers
                .iter()
                .map(|a| format!("HTTP {:?} {}", a.status, a.response))
                .collect::<Vec<_>>()
                .join("; ");
            if !retry {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(DemoError::Partner {
            what: format!("the legacy system finishing {}", self.ma_ho_so),
            partner: "legacy",
            answer: last,
        })
    }

    /// Does one step, by whoever does it for this dossier.
    pub async fn act(&self, action: Action) -> Result<(), DemoError> {
        match self.plan.department {
            Department::Construction => self.in_workspace(action).await,
            Department::Justice => self.by_one_stop(action).await,
        }
    }

    /// The construction department works in the hosted workspace: each step
    /// is the form an officer of the right role sends from the dossier's
    /// page. Reception's appointment date is the one the page computes from
    /// the catalogue's time limit (so `due_in` is not used here).
    async fn in_workspace(&self, action: Action) -> Result<(), DemoError> {
        use super::workspace::Role::{Leader, Reception, Specialist};
        let (code, name, amount) = fee(&self.plan);
        let (role, slug, typed): (_, _, Vec<(&str, String)>) = match action {
            Action::Receive { .. } => (Reception, "tiep-nhan", vec![]),
            Action::Refuse => (
                Reception,
                "tu-choi",
                vec![(
                    "reason",
                    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan".into(),
                )],
            ),
            Action::StartProcessing => (Specialist, "nhan-xu-ly", vec![]),
            Action::RequestSupplement => (
                Specialist,
                "yeu-cau-bo-sung",
                vec![
                    ("reason", "Thiếu bản vẽ thiết kế".into()),
                    ("other_items", "Bản vẽ mặt bằng công trình".into()),
                ],
            ),
            Action::SubmitSupplement => (
                Reception,
                "nhan-bo-sung",
                vec![("documents", "Bản vẽ mặt bằng công trình".into())],
            ),
            Action::RequestFees => (
                Specialist,
                "yeu-cau-nop-phi",
                vec![
                    ("fee_code", code.into()),
                    ("fee_name", name.into()),
                    ("fee_amount", amount.to_string()),
                    ("note", "Nộp lệ phí trước khi nhận kết quả".into()),
                ],
            ),
            Action::Reschedule { due_in } => (
                Leader,
                "hen-lai",
                vec![
                    (
                        "apology",
                        "Xin lỗi vì trễ hẹn; hẹn lại ngày trả kết quả".into(),
                    ),
                    ("new_date", {
                        let day = lienthong_adapter::vietnam_time::format(
                            now_unix() + due_in.as_secs() as i64,
                        );
                        format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..8])
                    }),
                ],
            ),
            Action::Finish => (
                Leader,
                "hoan-thanh",
                vec![
                    ("result_name", "Giấy phép xây dựng".into()),
                    ("result_code", format!("{}/GPXD", self.plan.number)),
                    (
                        "result_url",
                        format!(
                            "https://files.example.vn/demo/{}/ket-qua.pdf",
                            self.plan.number
                        ),
                    ),
                ],
            ),
            Action::ReturnResult => (
                Reception,
                "tra-ket-qua",
                vec![(
                    "delivery",
                    match self.plan.result {
                        Return::Electronic => "electronic",
                        _ => "at_counter",
                    }
                    .into(),
                )],
            ),
        };
        self.world
            .workspace()?
            .act(role, &self.ma_ho_so, slug, &typed)
            .await
    }

    fn report(&self, action: Action) -> StatusReport {
        let (code, name, amount) = fee(&self.plan);
        let date = |due_in: Duration| {
            lienthong_adapter::vietnam_time::format(now_unix() + due_in.as_secs() as i64)
        };
        let base = StatusReport {
            event_id: format!("MC-{}-{}", self.plan.number, action.name()),
            ma_ho_so: self.ma_ho_so.clone(),
            actor: CLERK.into(),
            unit: CLERK_UNIT.into(),
            ..Default::default()
        };
        let document = |file: &str, title: &str| one_stop::Document {
            ma: "TP02".into(),
            ten: title.into(),
            url: format!("https://motcua.example.vn/demo/{}/{file}", self.plan.number),
        };
        match action {
            Action::Receive { due_in } => StatusReport {
                status: "DA_TIEP_NHAN".into(),
                due_at: date(due_in),
                ..base
            },
            Action::Refuse => StatusReport {
                status: "KHONG_TIEP_NHAN".into(),
                note: "Không đủ điều kiện tiếp nhận".into(),
                ..base
            },
            Action::StartProcessing => StatusReport {
                status: "DANG_XU_LY".into(),
                processing_unit: "Phòng Hành chính tư pháp".into(),
                ..base
            },
            Action::RequestSupplement => StatusReport {
                status: "CHO_BO_SUNG".into(),
                note: "Thiếu bản sao giấy tờ tùy thân".into(),
                items: vec!["Bản sao căn cước công dân".into()],
                ..base
            },
            Action::SubmitSupplement => StatusReport {
                status: "DANG_XU_LY".into(),
                documents: vec![document("cccd.pdf", "Bản sao căn cước công dân")],
                ..base
            },
            Action::RequestFees => StatusReport {
                status: "CHO_NOP_PHI".into(),
                fees: vec![one_stop::Fee {
                    ma: code.into(),
                    ten: name.into(),
                    so_tien: amount,
                }],
                ..base
            },
            Action::Reschedule { due_in } => StatusReport {
                status: "DANG_XU_LY".into(),
                due_at: date(due_in),
                note: "Xin lỗi vì trễ hẹn; hẹn lại ngày trả kết quả".into(),
                ..base
            },
            Action::Finish => StatusReport {
                status: "DA_CO_KET_QUA".into(),
                results: vec![document("ket-qua.pdf", "Kết quả giải quyết")],
                ..base
            },
            Action::ReturnResult => StatusReport {
                status: "DA_TRA_KET_QUA".into(),
                delivery: match self.plan.result {
                    Return::Electronic => "electronic",
                    _ => "counter",
                }
                .into(),
                ..base
            },
        }
    }

    /// The one-stop system reports the step in its own codes; like a real
    /// system it sends again when the hub side fails or refuses its secret.
    async fn by_one_stop(&self, action: Action) -> Result<(), DemoError> {
        let report = self.report(action);
        let mut last = String::new();
        for _ in 0..100 {
            let answers = self.world.one_stop.report(report.clone()).await;
            if answers.iter().any(|(status, _)| *status == 200) {
                return Ok(());
            }
            let retry = answers
                .iter()
                .all(|(status, _)| matches!(status, 0 | 401 | 403 | 429 | 500..=599));
            last = answers
                .iter()
                .map(|(status, body)| format!("HTTP {status} {body}"))
                .collect::<Vec<_>>()
                .join("; ");
            if !retry {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(DemoError::Partner {
            what: format!("reporting {} of {}", report.status, self.ma_ho_so),
            partner: "one-stop",
            answer: last,
        })
    }
}
