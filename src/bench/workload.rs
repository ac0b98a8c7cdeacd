//! The gRPC workload every hub measurement uses: concurrent clients
//! driving dossiers through their whole life, with each answer timed.

#[allow(unused_imports)]
use super::*;

/// `sorted[q]`, or zero when empty.
pub(super) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 - 1.0) * q) as usize)
        .copied()
        .unwrap_or_default()
}

/// One acknowledged command.
pub(super) struct Ack {
    pub(super) event_id: String,
    /// When its answer arrived.
    pub(super) at: Instant,
    /// How long it waited for that answer.
    pub(super) took: Duration,
}

pub(super) struct Load {
    pub(super) started: Instant,
    pub(super) elapsed: Duration,
    pub(super) acks: Vec<Ack>,
    /// The processor time this process (server and clients) spent on it.
    pub(super) cpu: cpu::CpuSpent,
}

/// The gRPC workload: `clients` concurrent clients over four connections,
/// `dossiers` dossiers through their whole life.
pub(super) async fn load(args: &BenchArgs, addr: std::net::SocketAddr) -> anyhow::Result<Load> {
    let endpoint = format!("http://{addr}");
    let mut channels = Vec::new();
    for _ in 0..4 {
        channels.push(Channel::from_shared(endpoint.clone())?.connect().await?);
    }
    let cpu_before = cpu::sample();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let client = DossierServiceClient::new(channels[c % channels.len()].clone());
        let share = args.dossiers / args.clients + usize::from(c < args.dossiers % args.clients);
        tasks.push(tokio::spawn(drive(client, c, share)));
    }
    let mut acks = Vec::with_capacity(args.dossiers * LIFE);
    for task in tasks {
        acks.extend(task.await??);
    }
    let elapsed = started.elapsed();
    let cpu = cpu::spent(&cpu_before, &cpu::sample());
    Ok(Load {
        started,
        elapsed,
        acks,
        cpu,
    })
}

pub(super) async fn drive(
    mut client: DossierServiceClient<Channel>,
    client_no: usize,
    dossiers: usize,
) -> anyhow::Result<Vec<Ack>> {
    let mut acks = Vec::with_capacity(dossiers * LIFE);
    for n in 0..dossiers {
        let key = |step: &str| format!("bench-{client_no}-{n}-{step}");
        let submit = submission(client_no);
        let (id, ack) = call(&mut client, key("submit"), None, submit).await?;
        acks.push(ack);
        for (step, command) in later_steps() {
            let (_, ack) = call(&mut client, key(step), Some(id), command).await?;
            acks.push(ack);
        }
    }
    Ok(acks)
}

/// The submission of every benchmark dossier (`client_no` picks its agency).
pub(super) fn submission(client_no: usize) -> C {
    C::Submit(pb::SubmitDossier {
        agency_code: format!("000.00.{:02}.H22", client_no % 50),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Cấp giấy phép xây dựng".into(),
        channel: pb::SubmissionChannel::Online as i32,
        owner_name: "Nguyễn Văn An".into(),
        applicant_type: pb::ApplicantType::Citizen as i32,
        owner_id_number: "001099012345".into(),
        email: "an.nguyen@example.vn".into(),
        phone: "0912345678".into(),
        summary: "Đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        documents: vec![pb::Document {
            component_code: "TP1".into(),
            name: "Đơn đề nghị".into(),
            url: "https://files.example.vn/a.pdf".into(),
        }],
        fees: vec![pb::Fee {
            code: "LP1".into(),
            name: "Lệ phí".into(),
            amount_vnd: 75_000,
        }],
        ..Default::default()
    })
}

/// The four commands after the submit, in the order of a dossier's life.
pub(super) fn later_steps() -> [(&'static str, C); LIFE - 1] {
    let due = prost_types::Timestamp {
        seconds: (lienthong::domain::UnixMillis::now().0 / 1000) + 7 * 86_400,
        nanos: 0,
    };
    [
        (
            "receive",
            C::Receive(pb::ReceiveDossier { due_at: Some(due) }),
        ),
        (
            "start",
            C::StartProcessing(pb::StartProcessing {
                processing_unit: "Phòng Quản lý đô thị".into(),
            }),
        ),
        (
            "finish",
            C::Finish(pb::FinishProcessing {
                results: vec![pb::ResultDocument {
                    code: "KQ1".into(),
                    name: "Giấy phép".into(),
                    url: "https://files.example.vn/kq.pdf".into(),
                }],
            }),
        ),
        (
            "return",
            C::ReturnResult(pb::ReturnResult {
                delivery: pb::ResultDelivery::AtCounter as i32,
            }),
        ),
    ]
}

/// One command as every benchmark client sends it.
pub(super) fn request(key: String, id: Option<u64>, command: C) -> pb::CommandRequest {
    pb::CommandRequest {
        idempotency_key: key,
        dossier: id.map(|id| pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::Id(id)),
        }),
        actor: "bench".into(),
        unit: "Bộ phận một cửa".into(),
        command: Some(command),
        ..Default::default()
    }
}

pub(super) async fn call(
    client: &mut DossierServiceClient<Channel>,
    key: String,
    id: Option<u64>,
    command: C,
) -> anyhow::Result<(u64, Ack)> {
    let request = authorized(request(key, id, command), TOKEN)?;
    let started = Instant::now();
    let reply = client.execute(request).await?.into_inner();
    let at = Instant::now();
    Ok((
        reply.dossier.map(|d| d.id).unwrap_or_default(),
        Ack {
            event_id: reply.event_id,
            at,
            took: at - started,
        },
    ))
}
