// What the host keeps of what guests make it record: the newest items, at
// most `capacity`; older ones are dropped and counted (SVC-1.2, SEC-1.3).

export class Ring {
  constructor(capacity) {
    this.capacity = Math.max(1, capacity);
    this.items = [];
    this.dropped = 0;
  }

  push(item) {
    if (this.items.length === this.capacity) {
      this.items.shift();
      this.dropped += 1;
    }
    this.items.push(item);
  }
}
