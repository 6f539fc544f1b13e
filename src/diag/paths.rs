// SPDX-License-Identifier: GPL-2.0

//! The interrupt and DMA paths in the report: their cost on the summary line and their facts
//! in the JSON report (`"paths"`).

use core::fmt::{self, Write};

use super::dma;
use super::facts::{DeviceFacts, DmaFacts, DmaTrial, IrqFacts, MsiTrial, StepCost};

/// `; interrupts: N config reads, M pcifront ops, K hypercalls, X us; DMA: Y us`, for the
/// steps that ran; nothing if none did.
pub fn write_cost(w: &mut impl Write, facts: &DeviceFacts) -> fmt::Result {
    if facts.irq.gathered {
        let c = &facts.irq.cost;
        write!(
            w,
            "; interrupts: {} config reads, {} pcifront ops, {} hypercalls, {} us",
            c.config_reads,
            c.pcifront_ops,
            c.hypercalls,
            c.ns / 1000
        )?;
    }
    if facts.dma.gathered {
        write!(w, "; DMA: {} us", facts.dma.cost.ns / 1000)?;
    }
    Ok(())
}

/// `,"paths":{"interrupts":...,"dma":...}`: `null` for a step that did not run.
pub fn write_json(w: &mut impl Write, facts: &DeviceFacts) -> fmt::Result {
    w.write_str(",\"paths\":{\"interrupts\":")?;
    match facts.irq.gathered {
        true => write_json_irq(w, &facts.irq)?,
        false => w.write_str("null")?,
    }
    w.write_str(",\"dma\":")?;
    match facts.dma.gathered {
        true => write_json_dma(w, &facts.dma)?,
        false => w.write_str("null")?,
    }
    w.write_char('}')
}

/// A number, or `null`.
struct Opt<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Opt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => write!(f, "{v}"),
            None => f.write_str("null"),
        }
    }
}

fn write_json_cost(w: &mut impl Write, c: &StepCost) -> fmt::Result {
    write!(
        w,
        "{{\"config_reads\":{},\"pcifront_ops\":{},\"hypercalls\":{},\"ns\":{}}}",
        c.config_reads, c.pcifront_ops, c.hypercalls, c.ns
    )
}

fn write_json_trial(w: &mut impl Write, t: Option<&MsiTrial>) -> fmt::Result {
    let Some(t) = t else {
        return w.write_str("null");
    };
    write!(w, "{{\"asked\":{},", t.asked)?;
    match t.outcome {
        Ok(g) => write!(
            w,
            "\"granted\":{},\"first_irq\":{},\"first_pirq\":{},\"last_pirq\":{},\"rc\":null}}",
            g.vectors, g.first_irq, g.first_pirq, g.last_pirq
        ),
        Err(rc) => write!(w, "\"granted\":0,\"rc\":{rc}}}"),
    }
}

fn write_json_irq(w: &mut impl Write, irq: &IrqFacts) -> fmt::Result {
    let intx = &irq.intx;
    write!(
        w,
        "{{\"intx\":{{\"pin\":{},\"line\":{},\"guest_irq\":{}}},\"msi\":",
        intx.pin,
        intx.line,
        Opt(intx.guest_irq)
    )?;
    match irq.msi {
        Some(m) => write!(
            w,
            "{{\"offset\":{},\"vectors\":{},\"is64\":{},\"enabled\":{}}}",
            m.offset, m.vectors, m.is64, m.enabled
        )?,
        None => w.write_str("null")?,
    }
    w.write_str(",\"msix\":")?;
    match irq.msix {
        Some(m) => write!(
            w,
            "{{\"offset\":{},\"vectors\":{},\"table_bar\":{},\"table_offset\":{},\"enabled\":{}}}",
            m.offset, m.vectors, m.table_bar, m.table_offset, m.enabled
        )?,
        None => w.write_str("null")?,
    }
    write!(
        w,
        ",\"nr_pirqs\":{},\"msi_pirqs_at_most\":{},\"msix_trial\":",
        Opt(irq.nr_pirqs),
        Opt(irq.msi_pirqs_at_most())
    )?;
    write_json_trial(w, irq.msix_trial.as_ref())?;
    w.write_str(",\"msi_trial\":")?;
    write_json_trial(w, irq.msi_trial.as_ref())?;
    write!(w, ",\"enable_rc\":{},\"cost\":", Opt(irq.enable_failed))?;
    write_json_cost(w, &irq.cost)?;
    w.write_char('}')
}

fn write_json_dma(w: &mut impl Write, d: &DmaFacts) -> fmt::Result {
    write!(
        w,
        "{{\"swiotlb_xen\":{},\"other_ops\":{},\"mask\":{},\"coherent_mask\":{},\"pool_bytes\":{},\"pool_used\":{},\"frames_checked\":{},\"sampled\":{},\"frames_above_mask\":{},\"max_mfn\":{},\"trial\":",
        d.swiotlb_xen,
        d.other_ops,
        d.mask,
        d.coherent_mask,
        d.pool_bytes,
        Opt(d.pool_used),
        d.frames_checked,
        d.sampled,
        d.frames_above_mask,
        d.max_mfn
    )?;
    write_json_dma_trial(w, d.trial.as_ref())?;
    w.write_str(",\"cost\":")?;
    write_json_cost(w, &d.cost)?;
    w.write_char('}')
}

/// `{"rc":-12}` for a failed step.
fn write_json_rc(w: &mut impl Write, rc: i32) -> fmt::Result {
    write!(w, "{{\"rc\":{rc}}}")
}

/// The DMA trial: each step's addresses and how its bus address was made, or its errno.
fn write_json_dma_trial(w: &mut impl Write, t: Option<&DmaTrial>) -> fmt::Result {
    let Some(t) = t else {
        return w.write_str("null");
    };
    w.write_str("{\"coherent\":")?;
    match &t.coherent {
        Ok(c) => write!(
            w,
            "{{\"bus\":{},\"phys\":{},\"machine\":{},\"made\":\"{}\"}}",
            c.bus,
            c.phys,
            c.machine,
            dma::coherent_made(c).name()
        )?,
        Err(rc) => write_json_rc(w, *rc)?,
    }
    write!(
        w,
        ",\"pages_tried\":{},\"page_above_mask\":{},\"streaming\":",
        t.page.tried, t.page.above_mask
    )?;
    match &t.streaming {
        Ok(m) => write!(
            w,
            "{{\"bus\":{},\"phys\":{},\"machine\":{},\"in_pool\":{},\"made\":\"{}\"}}",
            m.bus,
            m.phys,
            m.machine,
            m.in_pool,
            dma::streaming_made(m).name()
        )?,
        Err(rc) => write_json_rc(w, *rc)?,
    }
    w.write_char('}')
}
