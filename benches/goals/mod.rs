//! How a bench says whether it met its goals: each figure printed against
//! its goal, and a non-zero exit when any was missed.

/// Prints `what`, a ratio, against its goal (at most `goal`); `false` when
/// the goal is missed.
pub fn within(what: &str, ratio: f64, goal: f64) -> bool {
    let verdict = if ratio <= goal { "met" } else { "MISSED" };
    println!("{what} = {ratio:.2} (goal <= {goal:.2}: {verdict})");
    ratio <= goal
}

/// Exits non-zero when any of the goals was missed.
pub fn exit_unless_all(met: &[bool]) {
    if met.contains(&false) {
        eprintln!("a goal was missed");
        std::process::exit(1);
    }
}
