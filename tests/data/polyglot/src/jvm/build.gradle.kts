plugins { id("java") }
println("configured")
