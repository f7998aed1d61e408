/** A set that forgets its oldest half when full: memory stays bounded whatever is added. */
export class BoundedSet {
  private readonly items = new Set<string>();

  constructor(private readonly max: number) {}

  has(item: string): boolean {
    return this.items.has(item);
  }

  add(item: string): void {
    if (this.items.size >= this.max) {
      for (const old of this.items) {
        this.items.delete(old);
        if (this.items.size < this.max / 2) break;
      }
    }
    this.items.add(item);
  }
}
