/**
 * The analysis of one sample: the {@link io.trawl.worker.analysis.Analyzer} SPI, the findings, the deadline and the
 * verdict policy. Each subpackage is one analyzer and depends on no other analyzer's package.
 */
package io.trawl.worker.analysis;
