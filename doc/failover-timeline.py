#!/usr/bin/env python3
"""Draw the symmetric-failover timeline of the user guide from a lab run.

usage: doc/failover-timeline.py [DATA_DIR] [OUT_SVG]

DATA_DIR (default doc/failover-timeline) holds drain.json and
holddown.json, written by topotests/test_symmetric_failover.py when run with
ERPOLICY_TIMELINE=DATA_DIR: the edge's per-path packet counters sampled every
100 ms under a steady ping stream (50 packets/s) from the on-prem site to the
Azure host, the lab's actions and the module's events (bgpd's monotonic
clock, on the same time axis).  OUT_SVG defaults to
doc/failover-timeline.svg.  Only the Python standard library is used.

Each scenario is one panel with two lanes, on-prem -> Azure (the edge's tx
counters) and Azure -> on-prem (its rx counters), each with the packet rate
over ExpressRoute and over the VPN (BGP's own packets included: the burst
when ExpressRoute sessions come back is theirs).  The band marks the time the module
withheld the on-prem prefixes from ExpressRoute (withdraw-from-er to
restore-to-er).
"""

import json
import os
import sys
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = [
    ("drain", "Drain: erpolicy drain expressroute, then no erpolicy drain "
              "expressroute"),
    ("holddown", "Hold-down: both ExpressRoute links down, back up, "
                 "fail-back after the hold-down"),
]
COLORS = {"er": "#1f5fa8", "vpn": "#e07b00"}
NAMES = {"er": "ExpressRoute", "vpn": "VPN"}
W = 960           # picture width
LEFT, RIGHT = 150, 30
LANE_H = 80       # height of one lane's plot
PANEL_H = 2 * LANE_H + 150


def rates(samples, key):
    """(t, packets per second) between consecutive samples."""
    out = []
    for a, b in zip(samples, samples[1:]):
        dt = b["t"] - a["t"]
        if dt > 0:
            out.append((a["t"], b["t"], (b[key] - a[key]) / dt))
    return out


def merged_events(events, actions):
    """Labels at the top: the module's events, those within 0.3 s of each
    other on one label; the lab's actions at the bottom."""
    groups = []
    for e in events:
        if groups and e["t"] - groups[-1][0] < 0.3:
            groups[-1][1].append(e["event"])
        else:
            groups.append((e["t"], [e["event"]]))
    return groups, [(a["t"], a["action"]) for a in actions]


def withdrawn_spans(events, t_end):
    spans, start = [], None
    for e in events:
        if e["event"] == "withdraw-from-er" and start is None:
            start = e["t"]
        elif e["event"] == "restore-to-er" and start is not None:
            spans.append((start, e["t"]))
            start = None
    if start is not None:
        spans.append((start, t_end))
    return spans


def panel(data, title, y0):
    samples = data["samples"]
    t_end = samples[-1]["t"]
    plot_w = W - LEFT - RIGHT

    def x(t):
        return LEFT + plot_w * t / t_end

    peak = max(r for d in ("tx", "rx") for p in ("er", "vpn")
               for _, _, r in rates(samples, "%s_%s" % (p, d)))
    ymax = max(60.0, peak * 1.1)
    out = ['<text x="%d" y="%d" class="title">%s</text>'
           % (10, y0 + 18, escape(title))]
    top = y0 + 60
    lanes = [("tx", "on-prem \u2192 Azure"), ("rx", "Azure \u2192 on-prem")]
    bottom = top + 2 * LANE_H + 20
    for s, e in withdrawn_spans(data["events"], t_end):
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" '
                   'class="band"/>' % (x(s), top, x(e) - x(s),
                                        bottom - top))
    groups, actions = merged_events(data["events"], data["actions"])
    for i, (t, names) in enumerate(groups):
        ty = top - 8 - 14 * (i % 2)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="ev"/>'
                   % (x(t), ty + 2, x(t), bottom))
        right = x(t) > W - RIGHT - 260
        out.append('<text x="%.1f" y="%d" class="evl"%s>%s</text>'
                   % (x(t) + (-3 if right else 3), ty,
                      ' text-anchor="end"' if right else '',
                      escape(", ".join(names))))
    for i, (t, text) in enumerate(actions):
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="act"/>'
                   % (x(t), top, x(t), bottom + 8))
        out.append('<text x="%.1f" y="%d" class="actl">\u25b2 %s</text>'
                   % (x(t) - 4, bottom + 34 + 12 * (i % 2), escape(text)))
    for k, (d, label) in enumerate(lanes):
        ly = top + k * (LANE_H + 20)
        out.append('<text x="%d" y="%d" class="lane">%s</text>'
                   % (10, ly + LANE_H / 2 + 4, escape(label)))
        out.append('<text x="%d" y="%d" class="tick">%d/s</text>'
                   % (LEFT - 34, ly + 10, round(ymax)))
        out.append('<text x="%d" y="%d" class="tick">0</text>'
                   % (LEFT - 14, ly + LANE_H))
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>'
                   % (LEFT, ly + LANE_H, W - RIGHT, ly + LANE_H))
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>'
                   % (LEFT, ly, LEFT, ly + LANE_H))
        for p in ("er", "vpn"):
            pts = []
            for a, b, r in rates(samples, "%s_%s" % (p, d)):
                yy = ly + LANE_H - LANE_H * min(r, ymax) / ymax
                pts += ["%.1f,%.1f" % (x(a), yy), "%.1f,%.1f" % (x(b), yy)]
            out.append('<polyline points="%s" fill="none" stroke="%s" '
                       'stroke-width="1.6"/>' % (" ".join(pts), COLORS[p]))
    # time axis
    ay = bottom + 6
    step = 1 if t_end <= 12 else 2
    t = 0
    while t <= t_end:
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="axis"/>'
                   % (x(t), ay - 4, x(t), ay))
        out.append('<text x="%.1f" y="%d" class="tick" '
                   'text-anchor="middle">%d s</text>' % (x(t), ay + 12, t))
        t += step
    return out


def measured_note(data):
    m = data.get("measured", {})
    if "drain_azure_s" in m:
        return ("measured from the command: drain moved on-prem's route in "
                "%.2f s and Azure's in %.2f s; undrain %.2f s and %.2f s"
                % (m["drain_onprem_s"], m["drain_azure_s"],
                   m["undrain_onprem_s"], m["undrain_azure_s"]))
    if "failback_azure_s" in m:
        return ("measured: ExpressRoute lost, on-prem's route moved in %.2f s "
                "and Azure's in %.2f s; after the failback event %.2f s and "
                "%.2f s (hold-down %d s)"
                % (m["failover_onprem_s"], m["failover_azure_s"],
                   m["failback_onprem_s"], m["failback_azure_s"],
                   m["hold_down_s"]))
    return ""


def render(data_dir):
    body = []
    y = 0
    for name, title in SCENARIOS:
        with open(os.path.join(data_dir, name + ".json")) as f:
            data = json.load(f)
        body += panel(data, title, y)
        body.append('<text x="%d" y="%d" class="note">%s</text>'
                    % (LEFT, y + PANEL_H - 8, escape(measured_note(data))))
        y += PANEL_H
    legend_y = y + 10
    lx = LEFT
    for p in ("er", "vpn"):
        body.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
                    'stroke-width="3"/>' % (lx, legend_y, lx + 24, legend_y,
                                            COLORS[p]))
        body.append('<text x="%d" y="%d" class="tick">%s packets/s</text>'
                    % (lx + 30, legend_y + 4, NAMES[p]))
        lx += 200
    body.append('<rect x="%d" y="%d" width="24" height="10" class="band"/>'
                % (lx, legend_y - 5))
    body.append('<text x="%d" y="%d" class="tick">on-prem prefixes withdrawn '
                'from ExpressRoute</text>' % (lx + 30, legend_y + 4))
    height = legend_y + 20
    style = """
    .title { font: bold 14px sans-serif; }
    .lane { font: 12px sans-serif; }
    .tick, .note { font: 11px sans-serif; fill: #333; }
    .evl { font: 11px sans-serif; fill: #222; }
    .actl { font: 11px sans-serif; fill: #555; }
    .axis { stroke: #888; stroke-width: 1; }
    .ev { stroke: #222; stroke-width: 1; stroke-dasharray: 4 3; }
    .act { stroke: #999; stroke-width: 1; }
    .band { fill: #e07b00; fill-opacity: 0.12; }
    """
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'viewBox="0 0 %d %d">\n<style>%s</style>\n'
            '<rect width="100%%" height="100%%" fill="white"/>\n%s\n</svg>\n'
            % (W, height, W, height, style, "\n".join(body)))


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(HERE, "failover-timeline")
    out = sys.argv[2] if len(sys.argv) > 2 else \
        os.path.join(HERE, "failover-timeline.svg")
    svg = render(data_dir)
    with open(out, "w") as f:
        f.write(svg)
    print("wrote %s" % out)


if __name__ == "__main__":
    main()
