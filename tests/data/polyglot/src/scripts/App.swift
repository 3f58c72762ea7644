let data = try! load()
let safe = try? load()
