#!/usr/bin/env python3
"""Writes the seed corpora: module output from docs/luat-at.md for `at_stream`, and op scripts that
walk the engine through the documented flows for `engine`. Run from fuzz/; output is committed."""
import os

def out(target, name, data):
    d = os.path.join("seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# --- at_stream: first byte = control (buffer size, split, prompt) -------------------------
lines = {
    "boot_ec618": b"\r\nOK\r\n^boot.rom'v'!\n\r\nRDY\r\n\r\n^MODE: 17,17\r\n\r\n+E_UTRAN Service\r\n"
                  b"\r\n+CGEV: ME PDN ACT 1\r\n\r\n+NITZ: 2024/07/10,08:33:44+0,0\r\n",
    "boot_8910": b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS READY\r\n",
    "flow": b"AT\r\r\nOK\r\nATE0\r\r\nOK\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n\r\n+CGATT: 1\r\n\r\nOK\r\n"
            b"\r\n+CSQ: 29,99\r\n\r\nOK\r\n\r\n+CME ERROR: 767\r\n\r\nOK\r\n\r\nCONNECT OK\r\n"
            b"\r\nOK\r\n\r\nCONNACK OK\r\n\r\nOK\r\n\r\nSUBACK\r\n\r\nOK\r\n\r\nPUBACK\r\n"
            b"\r\nOK\r\n\r\nPUBREC\r\n\r\nPUBCOMP\r\n",
    "msub_direct": b"\r\n+MSUB: \"mqtt/sub_topic\",6 byte,123456\r\n"
                   b"\r\n+MSUB: \"a/b\",20 byte,{\r\n  \"msg\": \"hello\"\r\n}\r\n",
    "msub_cache": b"\r\n+MSUB: 0\r\n\r\n+MSUB: 1\r\n\r\n+MSUB: mqtt/topic,9 byte,SSSSddddd\r\n"
                  b"+MSUB:mqtt/sub_topic,6 byte,123456\r\n"
                  b"+MSUB: \"mqtt/pub_topic\",17 byte,publish 1 payload\r\n\r\nOK\r\n",
    "failures": b"\r\nSTATE: IP GPRSACT\r\n\r\nCONNECT FAIL\r\n\r\n7,CONNECT FAIL\r\n\r\nALREADY CONNECT\r\n"
                b"\r\nCLOSED\r\n\r\n+CGEV: NW PDN DEACT 1\r\n\r\n+PDP DEACT\r\n\r\n+PDP:DEACT\r\n"
                b"\r\n+PDP: DEACT\r\n\r\n+MQTTSTATU :0\r\n\r\nOK\r\n\r\nTCP ERROR: 12\r\n"
                b"\r\n+CME ERROR: 14\r\n\r\n+CME ERROR: operation not allowed\r\n\r\nNORMAL POWER DOWN\r\n",
    "prompt": b"AT+MPUBEX=\"t\",1,0,5\r\r\n> ",
}
for i, (name, data) in enumerate(lines.items()):
    out("at_stream", name, bytes([0x20 + i * 0x47 & 0xff]) + data)

# --- engine: op scripts (see fuzz_targets/engine.rs) ---------------------------------------
CANNED = ["OK", "ERROR", "767", "14", "CPIN READY", "CPIN PIN", "CGATT 1", "CGATT 0",
          "CONNECT OK", "ALREADY", "CONNECT FAIL", "CONNACK", "SUBACK", "UNSUBACK", "PUBACK",
          "PUBREC", "PUBCOMP", "CLOSED", "PDN", "PDP", "RDY", "STATU 1", "STATU 0", "PROMPT",
          "MSUB direct", "MSUB notice", "MSUB read", "CSQ", "ECHO"]
def canned(name):
    return bytes([2, CANNED.index(name)])
def ms(x):
    return bytes([4, min(x // 10, 255), 1])
def publish(b, length):
    return bytes([5, b, length])

online = (bytes([6, 1 << 3]) + bytes([7, 0])          # subscribe s/+ qos1, start
          + canned("OK") + canned("OK") + canned("CPIN READY") + canned("CGATT 1")
          + canned("OK") + canned("767") + canned("OK") + canned("OK") + canned("CONNECT OK")
          + canned("OK") + canned("CONNACK") + canned("OK") + canned("SUBACK")
          + canned("OK") + canned("PUBACK"))
qos = publish(0b0000_0100, 20) + canned("OK") + canned("PUBACK") + publish(0b0000_1000, 3) + \
      canned("OK") + canned("PUBREC") + canned("PUBCOMP")
recover = canned("CLOSED") + ms(1000) + canned("767") + canned("OK") + canned("CONNECT OK") + \
          canned("OK") + canned("CONNACK")
silent = publish(0b0100_0100, 200) + ms(2550) + ms(2550) + ms(2550) + ms(2550) + ms(2550)
out("engine", "online_direct", bytes([0x00]) + online)
out("engine", "online_cache", bytes([0x04]) + online + canned("MSUB notice") + canned("OK") + canned("MSUB read") + canned("OK"))
out("engine", "qos_flow", bytes([0x00]) + online + qos + canned("MSUB direct"))
out("engine", "recovery", bytes([0x70]) + online + publish(0b0000_0100, 4) + canned("OK") + recover)
out("engine", "silent_ladder", bytes([0xf1]) + online + silent * 4)
out("engine", "tls_mpubex", bytes([0x09]) + online + publish(0b1000_0100, 60) + canned("PROMPT") + canned("OK") + canned("PUBACK"))

# --- simcom_stream: first byte = control (buffer size, split, prompt) ----------------------
simcom = {
    "session": b"\r\n*ATREADY: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n"
               b"\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n\r\nOK\r\n\r\n+CMQTTSTART: 23\r\n\r\nERROR\r\n"
               b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n\r\n>\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n"
               b"\r\n+CMQTTPUB: 0,6\r\n\r\nERROR\r\n\r\n+CMQTTCONNLOST: 0,1\r\n\r\n+CMQTTNONET\r\n"
               b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n",
    "rx_captured": b"\r\n+CMQTTRXSTART: 0,5,12\r\n\r\n+CMQTTRXTOPIC: 0,5\r\na/b/c\r\n"
                   b"\r\n+CMQTTRXPAYLOAD: 0,12\r\n{\"a\":\n\"x\r\"}\r\n\r\n+CMQTTRXEND: 0\r\n",
    "rx_vendor": b"+CMQTTRXSTART: 0,3,0\r\n+CMQTTRXTOPIC: 0,3\r\na/b+CMQTTRXEND: 0\r\n"
                 b"+CMQTTRXSTART: 0,4,6\r\n+CMQTTRXTOPIC: 0,2\r\nab+CMQTTRXTOPIC: 0,2\r\ncd"
                 b"+CMQTTRXPAYLOAD: 0,3\r\n\x00\xff\r+CMQTTRXPAYLOAD: 0,3\r\n\n\">+CMQTTRXEND: 0\r\n",
    "rx_broken": b"+CMQTTRXSTART: 0,1,2\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTPING: 0,17\r\n"
                 b"+CMQTTRXSTART: 0,0,5\r\n+CMQTTRXSTART: 0,1,99999\r\n+CMQTTRXTOPIC: 0,x\r\n",
}
for i, (name, data) in enumerate(simcom.items()):
    out("simcom_stream", name, bytes([0x3f - i * 0x11 & 0xff]) + data)
