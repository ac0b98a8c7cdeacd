//! The sites demo's story, told as it happens: every command a site's
//! officer takes (over that site's gRPC API, as the one-stop system) and
//! every arrival of it at the sites that keep a copy (polled on their own
//! hubs), a line each with the time since the start. Then the two faults:
//! a link cut while a handover is pending, and the ministry's hub SIGKILLed
//! in the middle of a burst of handovers. What each dossier went through
//! is kept (`Trip`) for the timelines and the tally.

use super::broker::{self, Broker};
use super::hubs::{SiteHub, LINK_CHECK_SECONDS};
use super::{BXD, H22, H29, SITES};
use crate::demo::timeline::status_words;
use crate::demo::DemoError;
use lienthong::grpc::pb::{self, command_request::Command as C};
use std::path::Path;
use std::time::{Duration, Instant};

/// Inter-site procedures (the national catalogue, the same at every site):
/// code, name, inter-agency sequence.
const HOME: &str = "1.000001.G12";
const ONWARD: &str = "1.000002.G12";
const OPINION: &str = "1.000003.G12";
const PROCEDURES: [(&str, &str, [&str; 3]); 3] = [
    (
        HOME,
        "Thẩm định thiết kế (tỉnh → Bộ → tỉnh)",
        ["000.00.05.H22", "000.00.00.G12", "000.00.06.H22"],
    ),
    (
        ONWARD,
        "Thẩm định liên tỉnh (H22 → Bộ → H29)",
        ["000.00.05.H22", "000.00.00.G12", "000.00.05.H29"],
    ),
    (
        OPINION,
        "Lấy ý kiến Bộ Xây dựng (H29 → Bộ)",
        ["000.00.05.H29", "000.00.00.G12", ""],
    ),
];
const MINISTRY: &str = "000.00.00.G12";
/// How long a transfer may take to show at a site (a hub restarting included).
const ARRIVAL: Duration = Duration::from_secs(120);

/// One dossier's trip between sites, as the story made it.
pub struct Trip {
    pub number: usize,
    pub ma: String,
    pub route: &'static str,
    /// The site that decides at the end.
    pub authority: usize,
    /// Every site that holds it (filed there, passed through, decides).
    pub holders: Vec<usize>,
    /// Its version: every version is one acknowledged command.
    pub version: u64,
    /// The site that made each version (index: version - 1).
    pub made_at: Vec<usize>,
    last_act: Instant,
}

struct Story<'a> {
    broker: &'a Broker,
    hubs: &'a mut [SiteHub],
    started: Instant,
    /// Whether each command is printed (the bulk of the faults is not).
    loud: bool,
}

fn code(site: usize) -> &'static str {
    SITES[site].code
}

fn by_ma(ma: &str) -> pb::DossierRef {
    pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma.into())),
    }
}

fn agency_name(agency: &str) -> &'static str {
    SITES
        .iter()
        .flat_map(|s| s.agencies.iter())
        .find(|(a, _)| *a == agency)
        .map(|(_, n)| *n)
        .unwrap_or("")
}

fn hold_words(d: &pb::Dossier) -> String {
    match &d.site {
        Some(h) if h.copy_sites.is_empty() => format!("decided by {}", h.authoritative_site),
        Some(h) => format!(
            "decided by {}, copies at {}",
            h.authoritative_site,
            h.copy_sites.join(", ")
        ),
        None => "never left this site".into(),
    }
}

pub async fn header(
    broker: &Broker,
    hubs: &[SiteHub],
    dir: &Path,
    started: Instant,
) -> Result<(), DemoError> {
    println!(
        "lienthong demo --sites 3: three hubs, one RabbitMQ ({}), a vhost per site, linked by dynamic shovels",
        broker::redact(&broker.amqp_url(""))
    );
    for hub in hubs {
        println!(
            "  {}  {:<26} pid {:<7} gRPC {:<16} vhost {}",
            hub.site.code,
            hub.site.name,
            hub.pid,
            hub.grpc.to_string(),
            hub.vhost
        );
    }
    println!(
        "  data directories, configurations and logs under {}",
        dir.display()
    );
    // The hubs declare their shovels once their queues exist.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut links = Vec::new();
    loop {
        links.clear();
        for hub in hubs {
            for (name, queue, to) in broker.shovels(&hub.vhost).await? {
                links.push(format!("{:<24} on {}: {queue} → {to}", name, hub.site.code));
            }
        }
        if links.len() == SITES.len() * (SITES.len() - 1) {
            break;
        }
        if Instant::now() > deadline {
            return Err(DemoError::Timeout {
                what: format!("the hubs declared {} of 6 shovels", links.len()),
                seconds: 60,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "[{:>5.1} s] the hubs declared their links, one shovel per peer (ack-mode on-confirm):",
        started.elapsed().as_secs_f64()
    );
    for link in links {
        println!("    {link}");
    }
    Ok(())
}

/// The story; every dossier's trip.
pub async fn run(
    broker: &Broker,
    hubs: &mut [SiteHub],
    started: Instant,
) -> Result<Vec<Trip>, DemoError> {
    let mut story = Story {
        broker,
        hubs,
        started,
        loud: true,
    };
    story.catalogues().await?;
    let mut trips = Vec::new();

    story.part("1. filed in a province, handed over to the ministry, back home");
    let mut one = story.file(1, H22, HOME, "tỉnh → Bộ → tỉnh").await?;
    story.forward(&mut one, H22, MINISTRY).await?;
    story.refused_at(H22, &one).await?;
    story.step(&mut one, BXD, "start").await?;
    story.forward(&mut one, BXD, "000.00.06.H22").await?;
    story.step(&mut one, H22, "finish").await?;
    story.step(&mut one, H22, "return").await?;
    trips.push(one);

    story.part("2. a province to the ministry, on to the other province");
    let mut two = story.file(2, H22, ONWARD, "H22 → Bộ → H29").await?;
    story.forward(&mut two, H22, MINISTRY).await?;
    story.step(&mut two, BXD, "start").await?;
    story.forward(&mut two, BXD, "000.00.05.H29").await?;
    story.step(&mut two, H29, "finish").await?;
    story.step(&mut two, H29, "return").await?;
    trips.push(two);

    story.part("3. the other province asks the ministry, which decides");
    let mut three = story.file(3, H29, OPINION, "H29 → Bộ").await?;
    story.forward(&mut three, H29, MINISTRY).await?;
    story.step(&mut three, BXD, "start").await?;
    story.step(&mut three, BXD, "finish").await?;
    story.step(&mut three, BXD, "return").await?;
    trips.push(three);

    story.part("4. the link H22 → BXD cut while a handover is on its way");
    trips.push(story.link_cut(4).await?);

    story.part("5. the ministry's hub SIGKILLed in the middle of a burst of handovers");
    let burst = story.kill_mid_burst(5, 6).await?;
    trips.extend(burst);

    story.part("6. the ministry takes the rest up and hands them back; H22 finishes them");
    story.loud = false;
    for trip in trips.iter_mut().filter(|t| t.number >= 4) {
        story.step(trip, BXD, "start").await?;
        story.forward(trip, BXD, "000.00.06.H22").await?;
    }
    for trip in trips.iter_mut().filter(|t| t.number >= 4) {
        story.step(trip, H22, "finish").await?;
        story.step(trip, H22, "return").await?;
    }
    let done: Vec<String> = trips
        .iter()
        .filter(|t| t.number >= 4)
        .map(|t| format!("#{}", t.number))
        .collect();
    story.say(
        Some(H22),
        &format!(
            "{} processed at BXD, handed back, finished and returned at H22 ({} commands, each change sent to the other site's copy)",
            done.join(" "),
            done.len() * 4
        ),
    );
    for trip in &trips {
        for &site in &trip.holders {
            story
                .arrived(site, &trip.ma, trip.version, code(trip.authority))
                .await?;
        }
    }
    story.say(
        None,
        "every site holds every dossier it took part in at the deciding site's version",
    );
    Ok(trips)
}

impl Story<'_> {
    fn say(&self, site: Option<usize>, text: &str) {
        println!(
            "[{:>5.1} s] {:<3}  {text}",
            self.started.elapsed().as_secs_f64(),
            site.map(code).unwrap_or("")
        );
    }

    fn part(&self, title: &str) {
        println!("\n{title}");
    }

    async fn catalogues(&mut self) -> Result<(), DemoError> {
        let entry = |code: &str, name: &str| pb::CatalogEntry {
            code: code.into(),
            name: name.into(),
            parent_code: String::new(),
            attributes: Default::default(),
        };
        let procedures: Vec<pb::CatalogEntry> = PROCEDURES
            .iter()
            .map(|(code, name, sequence)| {
                let mut e = entry(code, name);
                let sequence: Vec<&str> =
                    sequence.iter().copied().filter(|a| !a.is_empty()).collect();
                e.attributes
                    .insert("interagency_sequence".into(), sequence.join(", "));
                e
            })
            .collect();
        let agencies: Vec<pb::CatalogEntry> = SITES
            .iter()
            .flat_map(|s| s.agencies.iter())
            .map(|(code, name)| entry(code, name))
            .collect();
        for hub in self.hubs.iter() {
            hub.reader
                .publish_catalog("sites-procedures", "procedures", procedures.clone())
                .await?;
            hub.reader
                .publish_catalog("sites-agencies", "agencies", agencies.clone())
                .await?;
        }
        self.say(
            None,
            "the national catalogues published at every site: 3 inter-site procedures (their inter-agency sequences), 4 agencies",
        );
        Ok(())
    }

    fn command(site: usize, ma: Option<&str>, key: String, command: C) -> pb::CommandRequest {
        pb::CommandRequest {
            idempotency_key: key,
            dossier: ma.map(by_ma),
            actor: format!("Cán bộ {}", code(site)),
            unit: "Bộ phận chuyên môn".into(),
            command: Some(command),
            ..Default::default()
        }
    }

    /// A new dossier at `site`'s first agency of `procedure`, received there.
    async fn file(
        &mut self,
        number: usize,
        site: usize,
        procedure: &str,
        route: &'static str,
    ) -> Result<Trip, DemoError> {
        let agency = SITES[site].agencies[0].0;
        let submit = C::Submit(pb::SubmitDossier {
            agency_code: agency.into(),
            procedure_code: procedure.into(),
            procedure_name: "Thẩm định thiết kế xây dựng".into(),
            channel: pb::SubmissionChannel::Counter as i32,
            owner_name: format!("Công ty Xây dựng số {number}"),
            applicant_type: pb::ApplicantType::Enterprise as i32,
            owner_id_number: format!("57001{number:05}"),
            email: "lienhe@example.vn".into(),
            phone: "0203123456".into(),
            summary: "Đề nghị thẩm định thiết kế xây dựng".into(),
            documents: vec![pb::Document {
                component_code: "TP1".into(),
                name: "Hồ sơ thiết kế".into(),
                url: "https://files.example.vn/tk.pdf".into(),
            }],
            ..Default::default()
        });
        let key = format!("sites-{}-{number}-submit", std::process::id());
        let request = Self::command(site, None, key, submit);
        let reply = self.hubs[site].officer.exec("filing", request).await?;
        let dossier = reply.dossier.unwrap_or_default();
        let mut trip = Trip {
            number,
            ma: dossier.ma_ho_so.clone(),
            route,
            authority: site,
            holders: vec![site],
            version: dossier.version,
            made_at: vec![site],
            last_act: Instant::now(),
        };
        if self.loud {
            self.say(
                Some(site),
                &format!(
                    "#{number} {} filed at {} {} (v1, {route})",
                    trip.ma,
                    agency,
                    agency_name(agency)
                ),
            );
        }
        self.step(&mut trip, site, "receive").await?;
        Ok(trip)
    }

    /// One command on `trip`'s dossier at `site`; then waits until every
    /// other site that keeps a copy has it.
    async fn step(&mut self, trip: &mut Trip, site: usize, what: &str) -> Result<(), DemoError> {
        let command = match what {
            "receive" => C::Receive(pb::ReceiveDossier {
                due_at: Some(prost_types::Timestamp {
                    seconds: lienthong::domain::UnixMillis::now().0 / 1000 + 14 * 86_400,
                    nanos: 0,
                }),
            }),
            "start" => C::StartProcessing(pb::StartProcessing {
                processing_unit: "Phòng thẩm định".into(),
            }),
            "finish" => C::Finish(pb::FinishProcessing {
                results: vec![pb::ResultDocument {
                    code: "KQ1".into(),
                    name: "Văn bản thông báo kết quả thẩm định".into(),
                    url: "https://files.example.vn/kq.pdf".into(),
                }],
            }),
            _ => C::ReturnResult(pb::ReturnResult {
                delivery: pb::ResultDelivery::AtCounter as i32,
            }),
        };
        self.act(trip, site, what, command).await?;
        Ok(())
    }

    async fn act(
        &mut self,
        trip: &mut Trip,
        site: usize,
        what: &str,
        command: C,
    ) -> Result<pb::Dossier, DemoError> {
        let key = format!(
            "sites-{}-{}-v{}",
            std::process::id(),
            trip.number,
            trip.version + 1
        );
        let request = Self::command(site, Some(&trip.ma), key, command);
        let reply = self.hubs[site]
            .officer
            .exec(
                &format!("#{} {what} at {}", trip.number, code(site)),
                request,
            )
            .await?;
        let dossier = reply.dossier.unwrap_or_default();
        trip.version = dossier.version;
        trip.made_at.push(site);
        trip.last_act = Instant::now();
        if let Some(hold) = &dossier.site {
            if let Some(i) = SITES.iter().position(|s| s.code == hold.authoritative_site) {
                trip.authority = i;
                if !trip.holders.contains(&i) {
                    trip.holders.push(i);
                }
            }
        }
        if self.loud {
            let status = status_words(dossier.status);
            let status = status.trim();
            let words = match what {
                "forward" => format!(
                    "forwarded to {} {} ({status}): {}",
                    dossier.agency_code,
                    agency_name(&dossier.agency_code),
                    hold_words(&dossier)
                ),
                _ => status.to_string(),
            };
            self.say(
                Some(site),
                &format!("#{} v{} {words}", trip.number, trip.version),
            );
        }
        let others: Vec<usize> = trip
            .holders
            .iter()
            .copied()
            .filter(|s| *s != site)
            .collect();
        for other in others {
            let held = self
                .arrived(other, &trip.ma, trip.version, code(trip.authority))
                .await?;
            if self.loud {
                let took = trip.last_act.elapsed().as_secs_f64() * 1000.0;
                let what = if held.site.as_ref().map(|h| h.authoritative_site.as_str())
                    == Some(code(other))
                    && what == "forward"
                {
                    format!(
                        "arrived, {}: its officers work on it now",
                        hold_words(&held)
                    )
                } else {
                    format!("its copy is at v{} too", held.version)
                };
                self.say(
                    Some(other),
                    &format!("#{} {what} ({took:.0} ms after)", trip.number),
                );
            }
        }
        Ok(dossier)
    }

    async fn forward(&mut self, trip: &mut Trip, site: usize, to: &str) -> Result<(), DemoError> {
        let command = C::Forward(pb::ForwardDossier {
            to_agency_code: to.into(),
            note: "Chuyển liên thông".into(),
        });
        self.act(trip, site, "forward", command).await?;
        Ok(())
    }

    /// A command at a site that no longer decides: refused, naming the site.
    async fn refused_at(&mut self, site: usize, trip: &Trip) -> Result<(), DemoError> {
        let key = format!("sites-{}-{}-refused", std::process::id(), trip.number);
        let command = C::StartProcessing(pb::StartProcessing {
            processing_unit: "Phòng thẩm định".into(),
        });
        let request = Self::command(site, Some(&trip.ma), key, command);
        match self.hubs[site]
            .officer
            .exec("a refused command", request)
            .await
        {
            Err(DemoError::Call { code, message, .. }) if code == "FailedPrecondition" => {
                self.say(
                    Some(site),
                    &format!(
                        "#{} start processing here: refused {code}: {message}",
                        trip.number
                    ),
                );
                Ok(())
            }
            Err(e) => Err(e),
            Ok(_) => Err(DemoError::Lost(format!(
                "{} took a command on {}, which site {} decides",
                code(site),
                trip.ma,
                code(trip.authority)
            ))),
        }
    }

    /// Polls `site` until it holds `ma` at `version` or later, decided by
    /// `authority`.
    async fn arrived(
        &self,
        site: usize,
        ma: &str,
        version: u64,
        authority: &str,
    ) -> Result<pb::Dossier, DemoError> {
        let deadline = Instant::now() + ARRIVAL;
        loop {
            // A hub restarting answers nothing for a moment.
            if let Ok(Some(reply)) = self.hubs[site].reader.dossier(by_ma(ma)).await {
                if let Some(d) = reply.dossier {
                    let held = d.site.as_ref().map(|h| h.authoritative_site.as_str());
                    if d.version >= version && held == Some(authority) {
                        return Ok(d);
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(DemoError::Timeout {
                    what: format!(
                        "{ma} at v{version}, decided by {authority}, at {}",
                        code(site)
                    ),
                    seconds: ARRIVAL.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until `peer`'s shovel on `site`'s vhost is (or is not) there.
    async fn shovel(&self, site: usize, peer: usize, there: bool) -> Result<f64, DemoError> {
        let name = format!("lienthong-site-{}", code(peer));
        let since = Instant::now();
        let limit = Duration::from_secs(LINK_CHECK_SECONDS * 3);
        while self
            .broker
            .shovel_exists(&self.hubs[site].vhost, &name)
            .await?
            != there
        {
            if since.elapsed() > limit {
                return Err(DemoError::Timeout {
                    what: format!(
                        "shovel {name} on {} {}",
                        code(site),
                        if there { "declared again" } else { "gone" }
                    ),
                    seconds: limit.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(since.elapsed().as_secs_f64())
    }

    async fn link_cut(&mut self, number: usize) -> Result<Trip, DemoError> {
        let name = format!("lienthong-site-{}", code(BXD));
        let vhost = self.hubs[H22].vhost.clone();
        // Deleted once and waited for: H22's hub has just checked its links,
        // so the second cut lasts about a whole check interval.
        self.broker.delete_shovel(&vhost, &name).await?;
        self.shovel(H22, BXD, true).await?;
        self.broker.delete_shovel(&vhost, &name).await?;
        let cut = Instant::now();
        self.say(
            Some(H22),
            &format!("an operator deletes the shovel {name} on H22's broker: the link H22 → BXD is cut (H22's hub checks its links every {LINK_CHECK_SECONDS} s)"),
        );
        let mut trip = self.file(number, H22, HOME, "tỉnh → Bộ → tỉnh").await?;
        let key = format!("sites-{}-{number}-v3", std::process::id());
        let forward = C::Forward(pb::ForwardDossier {
            to_agency_code: MINISTRY.into(),
            note: "Chuyển liên thông".into(),
        });
        let request = Self::command(H22, Some(&trip.ma), key, forward);
        let reply = self.hubs[H22]
            .officer
            .exec("forward during the cut", request)
            .await?;
        let dossier = reply.dossier.unwrap_or_default();
        trip.version = dossier.version;
        trip.made_at.push(H22);
        trip.authority = BXD;
        trip.holders.push(BXD);
        self.say(
            Some(H22),
            &format!("#{number} v{} forwarded to {MINISTRY} (handed over to BXD; accepted at H22, the transfer waits)", trip.version),
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let (pending, age) = self.hubs[H22].pending().await?;
        let at_bxd = self.hubs[BXD].reader.dossier(by_ma(&trip.ma)).await?;
        self.say(
            Some(H22),
            &format!(
                "H22's relay to BXD waits for BXD's acknowledgement: {pending} outbox event(s) behind, the oldest {age:.1} s old (its metrics); BXD {}",
                if at_bxd.is_some() { "has it already (the link came back early)" } else { "has not heard of it" }
            ),
        );
        self.shovel(H22, BXD, true).await?;
        self.say(
            Some(H22),
            &format!("H22's hub found its shovel missing and declared it again: the link is back after {:.1} s", cut.elapsed().as_secs_f64()),
        );
        let held = self.arrived(BXD, &trip.ma, trip.version, code(BXD)).await?;
        self.say(
            Some(BXD),
            &format!(
                "#{number} arrived at v{}, {}",
                held.version,
                hold_words(&held)
            ),
        );
        let (pending, _) = self.wait_settled(H22).await?;
        self.say(
            Some(H22),
            &format!("BXD acknowledged: H22's relay to BXD is {pending} event(s) behind"),
        );
        Ok(trip)
    }

    /// Waits until `site` has nothing pending toward its peers.
    async fn wait_settled(&self, site: usize) -> Result<(u64, f64), DemoError> {
        let deadline = Instant::now() + ARRIVAL;
        loop {
            let now = self.hubs[site].pending().await?;
            if now.0 == 0 || Instant::now() > deadline {
                return Ok(now);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn kill_mid_burst(&mut self, first: usize, count: usize) -> Result<Vec<Trip>, DemoError> {
        let mut burst = Vec::new();
        self.loud = false;
        for number in first..first + count {
            let mut trip = self.file(number, H22, HOME, "tỉnh → Bộ → tỉnh").await?;
            let key = format!("sites-{}-{number}-v3", std::process::id());
            let forward = C::Forward(pb::ForwardDossier {
                to_agency_code: MINISTRY.into(),
                note: "Chuyển liên thông".into(),
            });
            let request = Self::command(H22, Some(&trip.ma), key, forward);
            let reply = self.hubs[H22]
                .officer
                .exec("a forward of the burst", request)
                .await?;
            trip.version = reply.dossier.map(|d| d.version).unwrap_or_default();
            trip.made_at.push(H22);
            trip.authority = BXD;
            trip.holders.push(BXD);
            burst.push(trip);
            if number == first + count / 2 - 1 {
                let pid = self.hubs[BXD].pid;
                self.hubs[BXD].kill();
                self.say(
                    Some(BXD),
                    &format!(
                        "SIGKILL to BXD's hub (pid {pid}) after H22 forwarded #{first}..#{number}, while their handovers travel"
                    ),
                );
            }
        }
        self.loud = true;
        self.say(
            Some(H22),
            &format!(
                "#{first}..#{} filed, received and forwarded to {MINISTRY}: handed over to BXD",
                first + count - 1
            ),
        );
        tokio::time::sleep(Duration::from_millis(2000)).await;
        let (pending, age) = self.hubs[H22].pending().await?;
        self.say(
            Some(H22),
            &format!("BXD is down: H22's relay to BXD is {pending} outbox event(s) behind, the oldest {age:.1} s old; the handovers wait in the broker"),
        );
        self.hubs[BXD].restart().await?;
        self.say(
            Some(BXD),
            &format!(
                "BXD's hub started again on the same data directory (pid {}, gRPC {})",
                self.hubs[BXD].pid, self.hubs[BXD].grpc
            ),
        );
        for trip in &burst {
            self.arrived(BXD, &trip.ma, trip.version, code(BXD)).await?;
        }
        let (pending, _) = self.wait_settled(H22).await?;
        self.say(
            Some(BXD),
            &format!("#{first}..#{} all arrived, each once (a transfer sent again is dropped by its event id); H22's relay to BXD is {pending} event(s) behind", first + count - 1),
        );
        Ok(burst)
    }
}
