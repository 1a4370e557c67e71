from bot.kb import records as kb
from bot.kb.store import KnowledgeStore


async def test_snapshot_follows_imports(sessionmaker, clock):
    ticks = [0.0]
    store = KnowledgeStore(sessionmaker, monotonic=lambda: ticks[0])
    assert await store.get() is None
    parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
    assert parsed is not None, problems
    async with sessionmaker() as s, s.begin():
        await kb.import_kb(s, parsed, clock.utcnow())
    assert await store.get() is None  # within the recheck interval: the cached answer
    ticks[0] += 2
    snapshot = await store.get()
    assert snapshot is not None and len(snapshot.grants) == 12
    version = store.version

    doc = parsed.model_dump()
    doc["grants"] = doc["grants"][:-1]
    smaller, problems = kb.validate(kb.load_text(kb.dump_yaml(doc)))
    assert smaller is not None, problems
    clock.advance(minutes=1)
    async with sessionmaker() as s, s.begin():
        await kb.import_kb(s, smaller, clock.utcnow())
    store.invalidate()  # an edit in this process takes effect at once
    snapshot = await store.get()
    assert len(snapshot.grants) == 11
    assert store.version == version + 1
    ticks[0] += 2
    assert (await store.get()) is snapshot  # nothing changed: no rebuild
    assert store.version == version + 1
