/**
 * Rule-level YARA deltas, the YARA half of incremental rescans (issue 14). {@link RulesetSource} reads a ruleset as
 * source, namespace by namespace as {@code YaraRules} compiles it (includes followed, kept inside the rules folder),
 * and splits it into rules: only their boundaries, parts and the identifiers their conditions use, never a full
 * parse, since libyara stays the judge of what compiles. {@link RuleFingerprints} hashes each rule's normalised
 * source with the fingerprints of the rules it names (also through {@code rule_*} sets), every global rule of its
 * namespace, the namespace's imports and the loaded libyara build, and flags rules that read the location externals.
 * {@link RulesetDelta} compares them with the previous ruleset's, writes a delta ruleset of the new and changed rules
 * (what they need comes along as private rules, so it is never reported), and merges the previous matches of
 * unchanged rules with the delta scan's into the matches of the whole new ruleset.
 */
package io.trawl.worker.yara.delta;
