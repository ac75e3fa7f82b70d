//! `tagdesk network`: the coded statements as a discourse network, or the events table.

use super::CliError;
use std::path::{Path, PathBuf};

use super::{
    NetworkAggregation, NetworkDuplicates, NetworkFormat, NetworkMode, NetworkNormalization,
    NetworkOptions, let_the_os_free,
};
use crate::core::network::filter::{parse_attribute, parse_period};
use crate::core::network::statements::{Coding, Extracted, statements};
use crate::core::network::{
    self, Aggregation, Date, Duplicates, Filter, Levels, Network, Normalization, ObservedConflict,
    Statement, TwoModeAggregation, TwoModeNormalization, groups, write,
};

/// What the options ask for, checked before any work.
enum Plan {
    Actors(Aggregation, Normalization, Levels),
    ActorsAndConcepts(TwoModeAggregation, TwoModeNormalization, Levels),
}

fn plan(options: &NetworkOptions, levels: Levels) -> Result<Plan, CliError> {
    if options.mode == NetworkMode::Events
        && !matches!(options.format, NetworkFormat::Csv)
        && options.format != NetworkFormat::Graphml
    {
        return Err(CliError::usage(
            "--mode events writes the events table as CSV: leave --format out, or give --format csv",
        ));
    }
    if options.mode == NetworkMode::Twomode {
        // Each mode has its own default: DNA's `ignore` for two-mode.
        let aggregation = match options.aggregation.unwrap_or(NetworkAggregation::Ignore) {
            NetworkAggregation::Ignore => TwoModeAggregation::Ignore,
            NetworkAggregation::Subtract => TwoModeAggregation::Subtract,
            NetworkAggregation::Combine => TwoModeAggregation::Combine,
            NetworkAggregation::Congruence | NetworkAggregation::Conflict => {
                return Err(CliError::usage(
                    "congruence and conflict are one-mode aggregations (twomode: ignore, subtract, combine)",
                ));
            }
        };
        let normalization = match options.normalization {
            NetworkNormalization::No => TwoModeNormalization::None,
            NetworkNormalization::Activity => TwoModeNormalization::Activity,
            NetworkNormalization::Prominence => TwoModeNormalization::Prominence,
            _ => {
                return Err(CliError::usage(
                    "two-mode networks normalise by activity or prominence",
                ));
            }
        };
        return Ok(Plan::ActorsAndConcepts(aggregation, normalization, levels));
    }
    let aggregation = match options
        .aggregation
        .unwrap_or(NetworkAggregation::Congruence)
    {
        NetworkAggregation::Congruence => Aggregation::Congruence,
        NetworkAggregation::Conflict => Aggregation::Conflict,
        NetworkAggregation::Subtract => Aggregation::Subtract,
        NetworkAggregation::Ignore => Aggregation::Ignore,
        NetworkAggregation::Combine => {
            return Err(CliError::usage(
                "--aggregation combine is for --mode twomode",
            ));
        }
    };
    let normalization = match options.normalization {
        NetworkNormalization::No => Normalization::None,
        NetworkNormalization::Average => Normalization::Average,
        NetworkNormalization::Jaccard => Normalization::Jaccard,
        NetworkNormalization::Cosine => Normalization::Cosine,
        NetworkNormalization::DnaCosine => Normalization::DnaCosine,
        NetworkNormalization::Activity | NetworkNormalization::Prominence => {
            return Err(CliError::usage(
                "activity and prominence normalise two-mode networks",
            ));
        }
    };
    Ok(Plan::Actors(aggregation, normalization, levels))
}

fn filter(options: &NetworkOptions) -> Result<Filter, CliError> {
    let date = |text: &Option<String>, flag: &str| match text {
        None => Ok(None),
        Some(t) => Date::parse(t)
            .map(Some)
            .ok_or_else(|| CliError::usage(format!("{flag} {t}: not a date (YYYY-MM-DD)"))),
    };
    let mut actor_attributes = Vec::new();
    for a in &options.attributes {
        actor_attributes.push(
            parse_attribute(a).ok_or_else(|| {
                CliError::usage(format!("--attribute {a}: write it as KEY=VALUE"))
            })?,
        );
    }
    let (from, to) = (date(&options.from, "--from")?, date(&options.to, "--to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(CliError::usage(format!(
            "--from {f} is after --to {t}: no statement could be in between"
        )));
    }
    Ok(Filter {
        from,
        to,
        actor_attributes,
    })
}

fn build(
    plan: &Plan,
    extracted: &Extracted,
    statements: &[Statement],
    conflicts: &[ObservedConflict],
    drop_isolates: bool,
) -> Network {
    let mut network = match plan {
        Plan::Actors(a, n, levels) => {
            Network::actors(extracted, statements, conflicts, levels, *a, *n)
        }
        Plan::ActorsAndConcepts(a, n, levels) => {
            Network::actors_and_concepts(extracted, statements, levels, *a, *n)
        }
    };
    if drop_isolates {
        network.drop_isolates();
    }
    if network.one_mode {
        groups::assign(&mut network);
    }
    network
}

fn text_of(format: NetworkFormat, network: &Network) -> String {
    match format {
        NetworkFormat::Graphml => write::graphml(network),
        NetworkFormat::Gexf => write::gexf(Some(network), &[]),
        NetworkFormat::Csv => write::csv_matrix(&network.matrix),
        NetworkFormat::Nodes => write::csv_nodes(network),
        NetworkFormat::Edges => write::csv_edges(network),
        NetworkFormat::Dl => write::ucinet_dl(&network.matrix, network.one_mode),
    }
}

fn extension(format: NetworkFormat) -> &'static str {
    match format {
        NetworkFormat::Graphml => "graphml",
        NetworkFormat::Gexf => "gexf",
        NetworkFormat::Csv | NetworkFormat::Nodes | NetworkFormat::Edges => "csv",
        NetworkFormat::Dl => "dl",
    }
}

fn write_out(path: &Path, text: &str) -> Result<(), CliError> {
    crate::core::project::write_atomic(path, text.as_bytes())
        .map_err(|err| CliError::failed(format!("cannot write {}: {err}", path.display())))
}

/// `out.graphml` → `out.2016-02-01.graphml`.
fn window_path(output: &Path, start: Date, format: NetworkFormat) -> PathBuf {
    let stem = output.file_stem().map_or_else(
        || "network".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let ext = output.extension().map_or_else(
        || extension(format).to_owned(),
        |e| e.to_string_lossy().into_owned(),
    );
    output.with_file_name(format!("{stem}.{start}.{ext}"))
}

pub(super) fn network_cmd(options: &NetworkOptions) -> Result<(), CliError> {
    let workspace = super::open_to_report(&options.project, options.skip_broken)?;
    let code = run(options, workspace.project());
    let_the_os_free(workspace);
    code
}

fn run(options: &NetworkOptions, project: &crate::core::Project) -> Result<(), CliError> {
    if let Some(output) = &options.output {
        let name = output
            .file_name()
            .map_or_else(|| "network.graphml".into(), |n| n.to_string_lossy());
        if let Err(why) =
            crate::formats::export::check_outside(&project.root, &project.source_dir, output, &name)
        {
            return Err(CliError::Failed(why.clone()));
        }
    }
    let standard = Coding::standard(project, "");
    let claim_label = options
        .claim_label
        .clone()
        .unwrap_or_else(|| standard.claim_label.clone());
    let annotator = match options.annotator.as_deref() {
        Some("all") => crate::core::network::statements::EVERY_ANNOTATOR.to_owned(),
        Some(a) => a.to_owned(),
        None => {
            let (annotator, which) = crate::core::network::default_layer(project, &claim_label);
            eprintln!("Network of {which} (--annotator NAME for another, or all).");
            annotator
        }
    };
    if annotator != crate::core::network::statements::EVERY_ANNOTATOR
        && !project.layers.keys().any(|k| k.annotator == annotator)
    {
        return Err(CliError::usage(format!(
            "no layer of {annotator} in {} (choose one with --annotator)",
            options.project.display()
        )));
    }
    if project.schema().get(&claim_label).is_none() {
        return Err(CliError::usage(format!(
            "no label \"{claim_label}\" in the schema (--claim-label)"
        )));
    }
    let mut coding = Coding::standard(project, &annotator);
    coding.claim_label.clone_from(&claim_label);
    if let Some(q) = &options.qualifier {
        coding.qualifier.clone_from(q);
    }
    for (given, flag) in [
        (&options.actor_relation, "--actor-relation"),
        (&options.concept_relation, "--concept-relation"),
    ] {
        if let Some(r) = given
            && !project.schema().relations.iter().any(|d| d.name == *r)
        {
            return Err(CliError::usage(format!(
                "no relation type \"{r}\" in the schema ({flag})"
            )));
        }
    }
    if let Some(r) = &options.actor_relation {
        coding.said_by.clone_from(r);
    }
    coding
        .concept_relation
        .clone_from(&options.concept_relation);
    // The qualifier's levels are those of this label's qualifier attribute.
    coding.levels = project
        .schema()
        .get(&claim_label)
        .and_then(|l| l.attributes.iter().find(|a| a.name == coding.qualifier))
        .map(|a| a.levels.clone())
        .unwrap_or_default();
    if coding.levels.is_empty() {
        return Err(CliError::usage(format!(
            "the claim attribute \"{}\" of \"{claim_label}\" has no levels in the schema (e.g. \"levels\": {{\"support\": 1, \"neutral\": 0, \"oppose\": -1}} in tagdesk.json; --qualifier names another attribute)",
            coding.qualifier
        )));
    }
    let plan = plan(options, Levels::new(coding.levels.values().copied()))?;
    let filter = filter(options)?;
    let lengths = match (&options.window, &options.step) {
        (None, _) => None,
        (Some(w), step) => {
            let Some(length) = parse_period(w) else {
                return Err(CliError::usage(format!(
                    "--window {w}: give days, weeks, months or years, e.g. 30d, 2w, 3m or 1y"
                )));
            };
            let step = match step {
                None => length,
                Some(s) => match parse_period(s) {
                    Some(s) => s,
                    None => {
                        return Err(CliError::usage(format!(
                            "--step {s}: give days, weeks, months or years, e.g. 7d, 1w, 1m or 1y"
                        )));
                    }
                },
            };
            Some((length, step))
        }
    };
    let extracted = statements(project, &coding);
    for (why, n) in &extracted.skipped {
        eprintln!("note: {n} left out: {why}");
    }
    // An attribute no entity has would silently leave nothing.
    let known: std::collections::BTreeSet<&str> = extracted
        .entities
        .values()
        .flat_map(|e| e.attributes.keys().map(String::as_str))
        .chain(
            project
                .schema()
                .entity_attributes
                .iter()
                .map(|d| d.name.as_str()),
        )
        .collect();
    for (key, _) in &filter.actor_attributes {
        if !known.contains(key.as_str()) {
            return Err(CliError::usage(format!(
                "--attribute {key}=…: no entity has an attribute {key} (known: {})",
                known.iter().copied().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    let (kept, conflicts) = filter.apply(&extracted);
    let kept = network::deduplicate(
        &kept,
        match options.duplicates {
            NetworkDuplicates::All => Duplicates::All,
            NetworkDuplicates::Document => Duplicates::PerDocument,
            NetworkDuplicates::Week => Duplicates::PerWeek,
            NetworkDuplicates::Month => Duplicates::PerMonth,
            NetworkDuplicates::Year => Duplicates::PerYear,
            NetworkDuplicates::Once => Duplicates::Once,
        },
    );
    if options.mode == NetworkMode::Events {
        let text = write::events_csv(&kept, &conflicts);
        let Some(path) = &options.output else {
            print!("{text}");
            return Ok(());
        };
        write_out(path, &text)?;
        eprintln!(
            "{} statements and {} observed conflicts written to {}",
            kept.len(),
            conflicts.len(),
            path.display()
        );
        return Ok(());
    }
    if let Some((length, step)) = lengths {
        let Some(output) = &options.output else {
            return Err(CliError::usage("--window needs --output"));
        };
        let windows = network::filter::windows_of(&kept, &conflicts, length, step);
        if windows.is_empty() {
            return Err(CliError::usage(
                "no dated statements: give the documents dates (tagdesk metadata PROJECT --import FILE.csv)",
            ));
        }
        let networks: Vec<Network> = windows
            .iter()
            .map(|w| {
                build(
                    &plan,
                    &extracted,
                    &w.statements,
                    &w.conflicts,
                    options.drop_isolates,
                )
            })
            .collect();
        if options.format == NetworkFormat::Gexf {
            let slices: Vec<write::Slice> = windows
                .iter()
                .zip(&networks)
                .map(|(w, network)| write::Slice {
                    start: w.start,
                    end: w.end,
                    network,
                })
                .collect();
            write_out(output, &write::gexf(None, &slices))?;
            eprintln!(
                "{} windows ({} to {}) written to {}",
                windows.len(),
                windows[0].start,
                windows[windows.len() - 1].end,
                output.display()
            );
        } else {
            for (w, network) in windows.iter().zip(&networks) {
                let path = window_path(output, w.start, options.format);
                write_out(&path, &text_of(options.format, network))?;
                eprintln!(
                    "{} to {}: {} statements, {} nodes, {} edges → {}",
                    w.start,
                    w.end,
                    w.statements.len(),
                    network.nodes.len(),
                    network.edges.len(),
                    path.display()
                );
            }
        }
        return Ok(());
    }
    let network = build(&plan, &extracted, &kept, &conflicts, options.drop_isolates);
    let text = text_of(options.format, &network);
    match &options.output {
        Some(path) => {
            write_out(path, &text)?;
            eprintln!(
                "{} statements, {} observed conflicts: {} nodes, {} edges written to {}",
                kept.len(),
                conflicts.len(),
                network.nodes.len(),
                network.edges.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(())
}
