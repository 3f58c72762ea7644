defmodule Demo do
  def run(x), do: IO.inspect(x)
end
