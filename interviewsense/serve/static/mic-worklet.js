// The microphone as 16 kHz mono 16-bit PCM, in 100 ms frames, with the level in dBFS.
// The context runs at the device's rate (Firefox cannot connect a microphone to a context
// at another rate), so the samples are resampled here: each output sample is the mean of
// the input samples it covers.
const OUT_RATE = 16000;
const FRAME = 1600; // 100 ms at 16 kHz

class MicPCM extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / OUT_RATE; // input samples per output sample
    this.acc = 0;
    this.count = 0;
    this.pos = 0;
    this.out = new Int16Array(FRAME);
    this.n = 0;
    this.energy = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    const ch = input[0];
    for (let i = 0; i < ch.length; i++) {
      this.acc += ch[i];
      this.count += 1;
      this.pos += 1;
      if (this.pos >= this.step) {
        this.pos -= this.step;
        const v = Math.max(-1, Math.min(1, this.acc / this.count));
        this.acc = 0;
        this.count = 0;
        this.energy += v * v;
        this.out[this.n++] = v < 0 ? v * 0x8000 : v * 0x7fff;
        if (this.n === FRAME) {
          const db = 10 * Math.log10(this.energy / FRAME + 1e-10);
          this.port.postMessage({ pcm: this.out.buffer, db }, [this.out.buffer]);
          this.out = new Int16Array(FRAME);
          this.n = 0;
          this.energy = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor("mic-pcm", MicPCM);
