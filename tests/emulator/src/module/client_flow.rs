// SPDX-License-Identifier: MIT OR Apache-2.0
//! The QoS 1/2 flows a module's own MQTT client runs with the broker when the host hears only
//! the deliveries and the final results: the Quectel (`AT+QMT*`) and SIMCom (`AT+CMQTT*`)
//! families (docs/quectel-simcom-at.md §6.3). Each family says how it reports a delivery and a
//! finished publish; the packets in between are the module's business.

use super::{Module, Phase};
use crate::mqtt::{self, Packet};
use std::time::Instant;

/// How a family prints an incoming message: (message id, 0 for QoS 0; topic; payload).
pub(crate) type Deliver = fn(&mut Module, Instant, u16, &[u8], &[u8]);
/// How a family reports one of its publishes done (PUBACK, or PUBCOMP for QoS 2), by packet id.
pub(crate) type Done = fn(&mut Module, Instant, u16);

impl Module {
    /// Runs `p` through the publish flows of the broker link; returns it when it is no part of
    /// them (a CONNACK, a SUBACK, an acknowledgement for no publish of ours, a publish before
    /// the session is up, ...), for the family to handle.
    pub(crate) fn client_flow(
        &mut self,
        now: Instant,
        p: Packet,
        deliver: Deliver,
        done: Done,
    ) -> Option<Packet> {
        let Some(link) = self.link.as_mut() else {
            return Some(p);
        };
        let connected = link.phase == Phase::Connected;
        match p {
            Packet::Publish {
                qos,
                topic,
                pid,
                payload,
                ..
            } if connected => match qos {
                0 => deliver(self, now, 0, &topic, &payload),
                1 => {
                    deliver(self, now, pid, &topic, &payload);
                    self.stats.acks_to_broker += 1;
                    self.send(now, mqtt::encode_puback(pid));
                }
                _ => {
                    // QoS 2 inside the module: delivered once, PUBREC every time.
                    if link.in_qos2.insert(pid) {
                        deliver(self, now, pid, &topic, &payload);
                    }
                    self.stats.acks_to_broker += 1;
                    self.send(now, mqtt::encode_pubrec(pid));
                }
            },
            Packet::PubRel(pid) if connected => {
                link.in_qos2.remove(&pid);
                self.stats.acks_to_broker += 1;
                self.send(now, mqtt::encode_pubcomp(pid));
            }
            Packet::PubAck(pid) if link.out_flight.get(&pid) == Some(&1) => {
                link.out_flight.remove(&pid);
                done(self, now, pid);
            }
            Packet::PubRec(pid) if link.out_flight.get(&pid) == Some(&2) => {
                // The module sends PUBREL itself; the host hears only the final result.
                link.out_flight.remove(&pid);
                link.out_rel.insert(pid);
                self.send(now, mqtt::encode_pubrel(pid));
            }
            Packet::PubRec(pid) if link.out_rel.contains(&pid) => {
                self.send(now, mqtt::encode_pubrel(pid));
            }
            Packet::PubComp(pid) if link.out_rel.remove(&pid) => done(self, now, pid),
            other => return Some(other),
        }
        None
    }
}
