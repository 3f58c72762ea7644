module Main where

main :: IO ()
main = print (head [1, 2, 3])
